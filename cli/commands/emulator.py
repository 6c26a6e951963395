"""``albform emulator`` — serve the embedded Avi controller emulator until interrupted.

Listens on 127.0.0.1 by default, HTTPS with a freshly generated self-signed certificate
(``--http`` for plain HTTP), user ``admin`` with ``--password`` / ``AVI_PASSWORD`` (default
documented in ``albform.provider.emulator.DEFAULT_PASSWORD``, for local use only). ``--db FILE``
persists objects in SQLite (in memory by default). Prints one readiness line with the URL
once it accepts connections; stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from albform.cli.serving import stop_signals
from albform.provider.emulator import DEFAULT_PASSWORD, FaultConfig, start_emulator
from albform.provider.emulator.errors import ApiError


def _faults(raw: str | None) -> FaultConfig | None:
    if not raw:
        return None
    try:
        return FaultConfig.from_json(json.loads(raw))
    except (ValueError, ApiError) as exc:
        detail = exc.body if isinstance(exc, ApiError) else exc
        raise click.BadParameter(f"not valid fault settings: {detail}",
                                 param_hint="--faults") from None


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (loopback unless you mean to expose it).")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--http", "plain_http", is_flag=True,
              help="Serve plain HTTP instead of HTTPS with a self-signed certificate.")
@click.option("--password", envvar="AVI_PASSWORD", default=DEFAULT_PASSWORD,
              show_default="AVI_PASSWORD or the documented local default",
              help="Password of the admin user.")
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite file to persist objects in (default: in memory).")
@click.option("--cert-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the server certificate (PEM) here, for clients to verify against.")
@click.option("--faults", "faults_json", metavar="JSON",
              help='Fault injection settings, e.g. \'{"error_rate": 0.1, "seed": 1}\'.')
def emulator_command(host: str, port: int, plain_http: bool, password: str, db: Path | None,
                     cert_out: Path | None, faults_json: str | None) -> int:
    """Run the Avi controller emulator (Ctrl-C to stop)."""
    faults = _faults(faults_json)
    if db is not None and not db.parent.is_dir():
        raise click.BadParameter(f"directory {db.parent} does not exist", param_hint="--db")
    try:
        emu = start_emulator(host=host, port=port, tls=not plain_http, password=password,
                             db_path=db, faults=faults)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        with stop_signals() as wait:
            if cert_out is not None and emu.cert_pem is not None:
                cert_out.write_bytes(emu.cert_pem)
            where = f" (SQLite {db})" if db else " (in memory)"
            click.echo(f"Avi controller emulator ready at {emu.url} user admin{where}",
                       err=False)
            wait()
    finally:
        emu.stop()
    click.echo("Avi controller emulator stopped.", err=True)
    return 0
