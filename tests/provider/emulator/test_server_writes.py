"""The emulator sends each answer in one write: its head and body leave together
(``server._OneWriteTransport``), held writes are never lost or reordered, and answers over
real HTTP — with a body, without one (HEAD), on a connection the server closes — arrive
whole."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

from albform.provider.emulator import RunningEmulator
from albform.provider.emulator.server import _OneWriteTransport


class _Recorded:
    """Stands in for the socket transport under the wrapper and records what reaches it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.calls.append(("close", b""))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else default


def _run(steps: Any) -> list[tuple[str, bytes]]:
    recorded = _Recorded()

    async def main() -> None:
        wrapped = _OneWriteTransport(recorded)  # type: ignore[arg-type]
        await steps(wrapped)
        await asyncio.sleep(0)  # the step after the last one ends

    asyncio.run(main())
    return recorded.calls


def test_a_head_and_body_written_in_one_step_go_out_as_one_write() -> None:
    async def steps(t: _OneWriteTransport) -> None:
        t.write(b"HTTP/1.1 200 OK\r\n\r\n")
        t.write(b"{}")

    assert _run(steps) == [("write", b"HTTP/1.1 200 OK\r\n\r\n{}")]


def test_a_write_alone_in_its_step_goes_out_when_the_step_ends() -> None:
    async def steps(t: _OneWriteTransport) -> None:
        t.write(b"head-only")  # a HEAD answer: no body follows
        await asyncio.sleep(0)
        t.write(b"next-head")
        t.write(b"next-body")
        t.write(b"third")

    assert _run(steps) == [("write", b"head-only"), ("write", b"next-headnext-body"),
                           ("write", b"third")]


def test_close_sends_what_is_held_first_and_the_rest_is_the_transports() -> None:
    async def steps(t: _OneWriteTransport) -> None:
        t.write(b"last answer")
        t.close()
        assert t.is_closing()
        assert t.get_extra_info("peername") == ("127.0.0.1", 1)

    assert _run(steps) == [("write", b"last answer"), ("close", b"")]


def _exchange(emulator: RunningEmulator, request: bytes) -> bytes:
    with socket.create_connection((emulator.host, emulator.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_answers_over_http_arrive_whole(emulator: RunningEmulator) -> None:
    host = f"{emulator.host}:{emulator.port}"
    # Keep-alive GET then HEAD on one connection, the last one asking the server to close.
    answer = _exchange(emulator, (
        f"GET /api/cluster/status HTTP/1.1\r\nHost: {host}\r\n\r\n"
        f"HEAD /api/cluster/status HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    ).encode())
    first, _, rest = answer.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200 ")
    length = int(next(line.split(b":")[1] for line in first.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    body, second = rest[:length], rest[length:]
    assert body.startswith(b"{") and body.endswith(b"}")
    # A HEAD answer (whatever its status) is a head alone: nothing follows it.
    assert second.startswith(b"HTTP/1.1 ") and second.endswith(b"\r\n\r\n")
    assert second.count(b"\r\n\r\n") == 1
    assert b"connection: close" in second.lower()


def test_a_client_gone_before_its_body_leaves_no_traceback(
        emulator: RunningEmulator, caplog: Any) -> None:
    """A client killed while sending its request (``kill -9`` of an apply) is no error of
    the emulator's: nothing is logged, and the emulator goes on answering."""
    from emuclient import Client

    client = Client(emulator.url)
    cookie = "; ".join(f"{k}={v}" for k, v in client.http.cookies.items())
    head = "".join(f"{k}: {v}\r\n" for k, v in client.headers().items())
    request = (f"POST /api/pool HTTP/1.1\r\nHost: {emulator.host}\r\nCookie: {cookie}\r\n"
               f"{head}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
               '{"name":')
    with caplog.at_level("ERROR"):
        with socket.create_connection((emulator.host, emulator.port), timeout=10) as sock:
            sock.sendall(request.encode())
        time.sleep(0.5)  # the server sees the connection close (and, before, logged it)
        assert client.get("/api/pool").status_code == 200  # answered after the disconnect
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
