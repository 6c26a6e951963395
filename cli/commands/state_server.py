"""``albform state-server`` — serve Terraform's ``http`` state backend protocol until stopped.

Secure by default: it refuses to start without credentials (``--username`` plus the password
in ``ALBFORM_STATE_PASSWORD`` or ``--password-file``) unless ``--no-auth`` says that anyone who
can reach the port may read, lock and overwrite every state. Listens on 127.0.0.1; keeps
states and held locks in ``--data-dir`` (so a restart keeps a held lock); refuses bodies over
``--max-body``; serves HTTPS with ``--tls-cert``/``--tls-key`` and, with ``--tls-client-ca``,
demands client certificates (Terraform's ``client_certificate_pem``). The guarantees are
listed in ``albform.engine.state.backends.http_server``.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import click

from albform.cli.serving import stop_signals
from albform.cli.workspace import Workspace
from albform.engine.state.backends.http_server import DEFAULT_MAX_BODY, StateServer

PASSWORD_VARIABLE = "ALBFORM_STATE_PASSWORD"


def _password(username: str | None, password_file: Path | None, env_password: str | None,
              no_auth: bool) -> str | None:
    if no_auth:
        if username or password_file:
            raise click.UsageError("--no-auth contradicts --username/--password-file")
        return None
    if not username:
        raise click.UsageError(
            "the state server needs credentials: --username NAME with the password in "
            f"{PASSWORD_VARIABLE} or --password-file FILE (Terraform: username/password in "
            'the backend "http" block, or TF_HTTP_USERNAME/TF_HTTP_PASSWORD). Use --no-auth '
            "only if everyone who can reach the port may read and overwrite every state.")
    password = password_file.read_text().strip() if password_file else env_password
    if not password:
        raise click.UsageError(f"--username {username} needs a password: set "
                               f"{PASSWORD_VARIABLE} or pass --password-file FILE")
    return password


def _tls(cert: Path | None, key: Path | None, client_ca: Path | None) -> ssl.SSLContext | None:
    if cert is None:
        if key is not None or client_ca is not None:
            raise click.UsageError("--tls-key and --tls-client-ca need --tls-cert")
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
        if client_ca is not None:
            context.load_verify_locations(client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
    except (OSError, ssl.SSLError) as exc:
        raise click.BadParameter(f"cannot load the TLS files: {exc}",
                                 param_hint="--tls-cert/--tls-key/--tls-client-ca") from None
    return context


@click.command("state-server")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (loopback unless you mean to expose it).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path(".albform/state-server"), show_default=True,
              help="Directory for states and held locks (created if missing).")
@click.option("--username", help=f"Require Basic auth as this user (password from "
              f"{PASSWORD_VARIABLE} or --password-file).")
@click.option("--password-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="File holding the password (first line).")
@click.option("--no-auth", is_flag=True,
              help="Serve without authentication (anyone who can connect may read, lock and "
                   "overwrite every state).")
@click.option("--max-body", type=click.IntRange(1), default=DEFAULT_MAX_BODY,
              show_default=True, help="Largest request body accepted, in bytes (413 above).")
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Serve HTTPS with this PEM certificate chain.")
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The certificate's PEM private key (if not in --tls-cert).")
@click.option("--tls-client-ca", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Require client certificates signed by this CA (PEM).")
@click.option("-v", "--verbose", is_flag=True, help="Log every request to stderr.")
@click.pass_context
def state_server_command(ctx: click.Context, /, host: str, port: int, data_dir: Path,
                         username: str | None, password_file: Path | None, no_auth: bool,
                         max_body: int, tls_cert: Path | None, tls_key: Path | None,
                         tls_client_ca: Path | None, verbose: bool) -> int:
    """Serve Terraform's http state backend (authentication required)."""
    ws: Workspace = ctx.obj
    password = _password(username, password_file, ws.env.get(PASSWORD_VARIABLE), no_auth)
    tls = _tls(tls_cert, tls_key, tls_client_ca)
    directory = ws.resolve(data_dir)
    try:
        server = StateServer(host, port, username=username, password=password,
                             data_dir=directory, verbose=verbose, tls=tls, max_body=max_body)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    server.start()
    try:
        with stop_signals() as wait:
            auth = f"user {username}" if username else "NO AUTHENTICATION"
            click.echo(f"albform state server on {server.url} ({auth}; data in {directory})")
            wait()
    finally:
        server.close()
    click.echo("albform state server stopped.", err=True)
    return 0
