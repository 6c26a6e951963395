"""HttpBackend against the reference server over loopback: the conformance suite, protocol
details (auth, Content-MD5, chunked bodies, GitLab-style methods, retries) and, with the
terraform binary, Terraform's own http backend talking to our server while we hold locks."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from albform.engine.state.backends.base import BackendError
from albform.engine.state.backends.http import HttpBackend, content_md5, redact
from albform.engine.state.backends.http_server import StateServer
from albform.engine.state.backends.testing import (
    check_backend,
    check_journal,
    check_locking,
    sample_state,
)
from albform.engine.state.lock import LockError, LockInfo, StateLockedError

USER, PASSWORD = "tfuser", "s3cret"
TF_ENV = {"TF_HTTP_PASSWORD": PASSWORD}


@pytest.fixture
def server() -> Iterator[StateServer]:
    with StateServer(username=USER, password=PASSWORD) as running:
        yield running


def client(server: StateServer, name: str = "avi", **options: object) -> HttpBackend:
    address = f"{server.url}/state/{name}"
    settings: dict[str, object] = {"lock_address": f"{address}/lock", "username": USER,
                                   "password": PASSWORD, "retry_wait_min": 0.01,
                                   "retry_wait_max": 0.02, **options}
    return HttpBackend(address, **settings)  # type: ignore[arg-type]


def test_http_backend_conforms(server: StateServer) -> None:
    check_backend(lambda: client(server, "conform"))
    check_locking(lambda: client(server, "conform"))


def test_http_journal_conforms(server: StateServer, tmp_path: Path) -> None:
    # The protocol has no place for it: a file of the applying machine (one per address).
    check_journal(lambda: client(server, "journal", journal_path=tmp_path / "j.jsonl"))


def test_gitlab_style_methods_conform(server: StateServer) -> None:
    make = lambda: client(server, "gitlab", lock_method="POST",  # noqa: E731
                          unlock_method="DELETE")
    check_backend(make)
    check_locking(make)


def test_states_at_different_paths_are_independent(server: StateServer) -> None:
    client(server, "a").write(sample_state())
    assert client(server, "b").read() is None


def test_wrong_credentials_are_reported_without_the_password(server: StateServer) -> None:
    bad = client(server, password="wrong")
    with pytest.raises(BackendError, match="requires auth") as err:
        bad.read()
    assert "wrong" not in str(err.value)
    assert redact("https://u:pw@host:8443/x") == "https://host:8443/x"


def test_the_server_checks_content_md5_and_reads_chunked_bodies(server: StateServer) -> None:
    url = f"{server.url}/state/raw"
    body = b'{"version": 4}'
    bad = requests.post(url, data=body, auth=(USER, PASSWORD),
                        headers={"Content-MD5": content_md5(b"other")}, timeout=10)
    assert bad.status_code == 400
    chunked = requests.post(url, data=iter([body[:5], body[5:]]), auth=(USER, PASSWORD),
                            timeout=10)
    assert chunked.status_code == 200
    got = requests.get(url, auth=(USER, PASSWORD), timeout=10)
    assert got.content == body and got.headers["Content-MD5"] == content_md5(body)


def test_an_empty_unlock_is_a_forced_unlock_and_writes_need_the_lock_id(
        server: StateServer) -> None:
    holder = client(server)
    lock_id = holder.lock(LockInfo.new("OperationTypeApply"))
    other = client(server)
    with pytest.raises(StateLockedError, match="refused"):
        other.write(sample_state())  # a write without the holder's ID is refused
    holder.write(sample_state())  # the holder's write carries ?ID=
    # Terraform's force-unlock: UNLOCK with an empty chunked body.
    forced = requests.request("UNLOCK", f"{server.url}/state/avi/lock", data=iter([b""]),
                              auth=(USER, PASSWORD), timeout=10)
    assert forced.status_code == 200
    other.unlock(other.lock(LockInfo.new("OperationTypePlan")))
    with pytest.raises(LockError):
        holder.unlock("some-other-id")
    holder.unlock(lock_id)  # the broken lock's owner can still clean up: unlocking is idempotent


class _Flaky(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.command)
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_retries_with_backoff_then_gives_up() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    waits: list[float] = []
    try:
        backend = HttpBackend(f"http://127.0.0.1:{httpd.server_address[1]}/s", retry_max=3,
                              retry_wait_min=1, retry_wait_max=3, sleep=waits.append)
        with pytest.raises(BackendError, match=r"giving up after 4 attempt\(s\)"):
            backend.read()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert _Flaky.hits == ["GET"] * 4 and waits == [1, 2, 3]


def test_without_lock_address_locking_is_off(server: StateServer) -> None:
    backend = HttpBackend(f"{server.url}/state/nolock", username=USER, password=PASSWORD)
    with backend.locked("OperationTypeApply"):
        backend.write(sample_state())
    assert backend.read() == sample_state()


def test_data_dir_keeps_states_and_held_locks_across_restarts(tmp_path: Path) -> None:
    with StateServer(data_dir=tmp_path) as first:
        holder = HttpBackend(f"{first.url}/state/x", lock_address=f"{first.url}/state/x/lock")
        lock_id = holder.lock(LockInfo.new("OperationTypeApply"))
        holder.write(sample_state())
    with StateServer(data_dir=tmp_path) as second:
        other = HttpBackend(f"{second.url}/state/x", lock_address=f"{second.url}/state/x/lock")
        assert other.read() == sample_state()
        with pytest.raises(StateLockedError) as held:
            other.lock(LockInfo.new("OperationTypePlan"))
        assert held.value.holder.id == lock_id


# -- oracle: Terraform's http backend against our server ----------------------------------------

@pytest.fixture
def tf_workdir(tmp_path: Path, server: StateServer, terraform: Any) -> Path:
    address = f"{server.url}/state/avi"
    (tmp_path / "main.tf").write_text(
        'terraform {\n  backend "http" {\n'
        f'    address        = "{address}"\n'
        f'    lock_address   = "{address}/lock"\n'
        f'    unlock_address = "{address}/lock"\n'
        f'    username       = "{USER}"\n    retry_max      = 0\n  }}\n}}\n'
        'resource "terraform_data" "t" {\n  input = "x"\n}\n')
    done = terraform(tmp_path, "init", "-input=false", env=TF_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path


@pytest.mark.terraform
def test_terraform_applies_through_our_server_and_reads_what_we_wrote(
        tf_workdir: Path, server: StateServer, terraform: Any) -> None:
    done = terraform(tf_workdir, "apply", "-auto-approve", "-input=false", env=TF_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    backend = client(server)
    theirs = backend.read()
    assert theirs is not None and [str(r.address) for r in theirs.resources] == [
        "terraform_data.t"]
    ours = replace(theirs, serial=theirs.serial + 1).with_resources(
        [*theirs.resources, *sample_state().resources])
    with backend.locked("OperationTypeApply"):
        backend.write(ours)
    listed = terraform(tf_workdir, "state", "list", env=TF_ENV)
    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.split()) == sorted(str(r.address) for r in ours.resources)


@pytest.mark.terraform
def test_terraform_sees_our_lock_and_can_force_unlock_it(
        tf_workdir: Path, server: StateServer, terraform: Any) -> None:
    backend = client(server)
    lock_id = backend.lock(LockInfo.new("OperationTypeApply", info="albform test"))
    done = terraform(tf_workdir, "plan", "-input=false", "-lock-timeout=0s", env=TF_ENV)
    assert done.returncode == 1
    assert "Error acquiring the state lock" in done.stderr
    # Terraform wraps long lines; compare with whitespace folded.
    assert f"HTTP remote state already locked: ID={lock_id}" in " ".join(done.stderr.split())
    done = terraform(tf_workdir, "force-unlock", "-force", lock_id, env=TF_ENV)
    assert done.returncode == 0, done.stderr
    assert "successfully unlocked" in done.stdout
    other = client(server)
    other.unlock(other.lock(LockInfo.new("OperationTypePlan")))


def _self_signed(tmp_path: Path) -> ssl.SSLContext:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "albform test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_is_verified_by_default(tmp_path: Path) -> None:
    with StateServer(tls=_self_signed(tmp_path)) as server:
        assert server.url.startswith("https://127.0.0.1:")
        with pytest.raises(BackendError, match="certificate verification failed"):
            HttpBackend(f"{server.url}/state/tls").read()
        insecure = HttpBackend(f"{server.url}/state/tls", skip_cert_verification=True)
        insecure.write(sample_state())
        assert insecure.read() == sample_state()
