"""``albform state-server`` as a product: credentials required by default, auth checked before
the body is read, a body size limit, TLS, and — with real ``terraform`` as the client — states
and a held lock surviving a restart (the server killed, not asked to stop)."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from albform.engine.state.backends.http import HttpBackend
from albform.engine.state.backends.testing import sample_state
from albform.engine.state.lock import LockInfo
from albform.provider.emulator.certs import self_signed

USER, PASSWORD = "tfuser", "s3cret-pw"
TF_ENV = {"TF_HTTP_PASSWORD": PASSWORD}


def albform(*args: str, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "albform", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def state_server(data_dir: Path, port: int, *args: str) -> Iterator[str]:
    """Run ``albform state-server`` until the block ends (then SIGKILL: nothing it holds may
    depend on a clean shutdown); yields its base URL from the readiness line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "albform", "state-server", "--port", str(port), "--data-dir",
         str(data_dir), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ALBFORM_STATE_PASSWORD": PASSWORD})
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline()
        assert ready.startswith("albform state server on "), proc.stderr and proc.stderr.read()
        yield ready.split()[4]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_credentials_are_required_unless_explicitly_waived(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    bare = albform("state-server", "--data-dir", data, env={"ALBFORM_STATE_PASSWORD": ""})
    assert bare.returncode == 1 and "the state server needs credentials" in bare.stderr
    assert "--no-auth" in bare.stderr
    no_password = albform("state-server", "--username", USER, "--data-dir", data,
                          env={"ALBFORM_STATE_PASSWORD": ""})
    assert no_password.returncode == 1
    assert f"--username {USER} needs a password" in no_password.stderr
    both = albform("state-server", "--no-auth", "--username", USER, "--data-dir", data)
    assert both.returncode == 1 and "--no-auth contradicts" in both.stderr
    assert not (tmp_path / "d").exists()  # nothing started


def test_no_auth_is_an_explicit_choice_and_says_so(tmp_path: Path) -> None:
    with state_server(tmp_path, 0, "--no-auth") as url:
        assert url.startswith("http://127.0.0.1:")
        backend = HttpBackend(f"{url}/state/open")
        backend.write(sample_state())
        assert backend.read() == sample_state()


def _raw(port: int, request: bytes, context: ssl.SSLContext | None = None) -> bytes:
    """Send ``request`` and read the reply until the server closes the connection. The socket
    timeout turns a server that waits for the body it should not read into a failure."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        sock = context.wrap_socket(raw, server_hostname="127.0.0.1") if context else raw
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        return reply


def test_auth_is_checked_before_the_body_and_bodies_are_limited(tmp_path: Path) -> None:
    port = free_port()
    with state_server(tmp_path, port, "--username", USER, "--max-body", "1000"):
        # A gigabyte announced, none sent: refused from the headers, connection closed.
        anonymous = _raw(port, b"POST /state/x HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Length: 1000000000\r\n\r\n")
        assert anonymous.startswith(b"HTTP/1.1 401 ")
        assert b"Connection: close" in anonymous
        auth = requests.auth._basic_auth_str(USER, PASSWORD).encode()  # type: ignore[attr-defined]
        too_big = _raw(port, b"POST /state/x HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth
                       + b"\r\nContent-Length: 5000\r\n\r\n")
        assert too_big.startswith(b"HTTP/1.1 413 ")
        chunked = _raw(port, b"POST /state/x HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth
                       + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + b"3e8\r\n" + b"{" * 1000
                       + b"\r\n3e8\r\n")
        assert chunked.startswith(b"HTTP/1.1 413 ")
        wrong = requests.get(f"http://127.0.0.1:{port}/state/x", auth=(USER, "nope"),
                             timeout=10)
        assert wrong.status_code == 401
        assert not list(tmp_path.glob("*.tfstate"))


def test_tls_with_the_servers_certificate(tmp_path: Path) -> None:
    pair = self_signed()
    (tmp_path / "cert.pem").write_bytes(pair.cert_pem)
    (tmp_path / "key.pem").write_bytes(pair.key_pem)
    port = free_port()
    with state_server(tmp_path / "data", port, "--username", USER, "--tls-cert",
                      str(tmp_path / "cert.pem"), "--tls-key", str(tmp_path / "key.pem")) as url:
        assert url == f"https://127.0.0.1:{port}"
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{url}/state/x", auth=(USER, PASSWORD), timeout=10)
        trusted = requests.get(f"{url}/state/x", auth=(USER, PASSWORD), timeout=10,
                               verify=str(tmp_path / "cert.pem"))
        assert trusted.status_code == 404  # authenticated, no state yet


# -- real terraform as the client ---------------------------------------------------------------

@pytest.mark.terraform
def test_terraform_uses_the_server_and_a_held_lock_survives_a_restart(tmp_path: Path,
                                                                      terraform: Any) -> None:
    port = free_port()
    address = f"http://127.0.0.1:{port}/state/avi"
    work, data = tmp_path / "tf", tmp_path / "data"
    work.mkdir()
    config = ('terraform {\n  backend "http" {\n'
              f'    address        = "{address}"\n'
              f'    lock_address   = "{address}/lock"\n'
              f'    unlock_address = "{address}/lock"\n'
              f'    username       = "{USER}"\n    retry_max      = 0\n  }}\n}}\n'
              'resource "terraform_data" "t" {\n  input = "%s"\n}\n')
    (work / "main.tf").write_text(config % "one")
    with state_server(data, port, "--username", USER):
        for args in (("init", "-input=false"), ("apply", "-auto-approve", "-input=false")):
            done = terraform(work, *args, env=TF_ENV)
            assert done.returncode == 0, done.stdout + done.stderr
        # Someone else (a colleague's apply) takes the lock and the server is then killed.
        colleague = HttpBackend(address, lock_address=f"{address}/lock", username=USER,
                                password=PASSWORD)
        held = colleague.lock(LockInfo.new("OperationTypeApply", info="colleague"))
    assert sorted(p.name for p in data.iterdir()) == ["%2Fstate%2Favi.lock",
                                                      "%2Fstate%2Favi.tfstate"]
    with state_server(data, port, "--username", USER):
        (work / "main.tf").write_text(config % "two")
        blocked = terraform(work, "apply", "-auto-approve", "-input=false", env=TF_ENV)
        assert blocked.returncode == 1
        assert f"HTTP remote state already locked: ID={held}" in " ".join(
            blocked.stderr.split())
        colleague.unlock(held)
        done = terraform(work, "apply", "-auto-approve", "-input=false", env=TF_ENV)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Resources: 0 added, 1 changed, 0 destroyed." in done.stdout
        state = colleague.read()
        assert state is not None and state.serial == 2
        (resource,) = state.resources
        assert resource.attributes["input"] == {"value": "two", "type": "string"}
    assert sorted(p.name for p in data.iterdir()) == ["%2Fstate%2Favi.tfstate"]
