"""Progress lines into a pipe: buffered (no flush per line), flushed on demand and by the
writer's own ticker — so a consumer reading line by line still gets every line."""

from __future__ import annotations

import contextlib
import io
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator

from albform.cli.views.lines import LineWriter


@contextlib.contextmanager
def piped_stdout() -> Iterator[int]:
    """sys.stdout writes into a pipe (inside the test body: pytest swaps its own capture in
    for each phase); yields the pipe's read end."""
    read_end, write_end = os.pipe()
    stream = io.TextIOWrapper(io.FileIO(write_end, "w"), encoding="utf-8")
    saved, sys.stdout = sys.stdout, stream
    try:
        yield read_end
    finally:
        sys.stdout = saved
        stream.close()
        os.close(read_end)


def _readable(fd: int, timeout: float) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def test_lines_wait_in_the_buffer_until_flushed() -> None:
    lines = LineWriter(interval=3600)  # the ticker will not flush during this test
    with piped_stdout() as pipe:
        lines.write("avi_pool.a: Creating...")
        lines.write("avi_pool.a: Creation complete after 0s")
        assert not _readable(pipe, 0)  # no system call per line
        lines.flush()
        assert _readable(pipe, 5)
        assert os.read(pipe, 1000).decode() == (
            "avi_pool.a: Creating...\navi_pool.a: Creation complete after 0s\n")


def test_the_ticker_flushes_without_being_asked() -> None:
    lines = LineWriter(interval=0.05)
    with piped_stdout() as pipe:
        lines.write('{"type":"apply_start"}')
        assert _readable(pipe, 30)  # nobody calls flush: the ticker does
        assert os.read(pipe, 1000) == b'{"type":"apply_start"}\n'


def test_a_stream_closed_between_two_ticks_loses_nothing_and_raises_nothing() -> None:
    lines = LineWriter(interval=3600)
    with piped_stdout() as pipe:
        lines.write("avi_pool.a: Refreshing state...")
        sys.stdout.close()  # as a test runner closes its captured stdout: flushed first
        assert os.read(pipe, 1000) == b"avi_pool.a: Refreshing state...\n"
        lines.flush()  # what the ticker would do next: the stream is gone, not an error


def test_an_unbuffered_stdout_into_a_pipe_buffers_again() -> None:
    """``PYTHONUNBUFFERED=1`` (containers, CI) writes each line through; the console entry
    point gives a pipe a buffer back (``batch_unbuffered_stdout``), a terminal keeps it
    unbuffered."""
    from albform.cli.views.lines import batch_unbuffered_stdout

    read_end, write_end = os.pipe()
    stream = io.TextIOWrapper(io.FileIO(write_end, "w"), encoding="utf-8", write_through=True)
    saved, sys.stdout = sys.stdout, stream
    try:
        lines = LineWriter(interval=3600)
        lines.write("avi_pool.a: Refreshing state...")
        assert _readable(read_end, 5)  # unbuffered: out at once
        os.read(read_end, 1000)
        batch_unbuffered_stdout()
        lines.write("avi_pool.b: Refreshing state...")
        assert not _readable(read_end, 0)
        lines.flush()
        assert os.read(read_end, 1000) == b"avi_pool.b: Refreshing state...\n"
    finally:
        sys.stdout = saved
        stream.close()
        os.close(read_end)

    import pty

    leader, follower = pty.openpty()
    terminal = io.TextIOWrapper(io.FileIO(follower, "w"), encoding="utf-8", write_through=True)
    saved, sys.stdout = sys.stdout, terminal
    try:
        batch_unbuffered_stdout()
        assert sys.stdout is terminal and terminal.write_through
    finally:
        sys.stdout = saved
        terminal.close()
        os.close(leader)


def test_a_signal_during_a_blocked_write_loses_no_line() -> None:
    """A slow reader fills the pipe; a signal albform handles interrupts the blocked write
    part-way (a short write): the buffer writes the rest (a text layer over the unbuffered
    file would drop it)."""
    from albform.cli.views.lines import batch_unbuffered_stdout

    read_end, write_end = os.pipe()
    backlog = 65536 - 4096
    os.write(write_end, b"x" * backlog)  # the reader is behind: 4 KB of room left
    stream = io.TextIOWrapper(io.FileIO(write_end, "w"), encoding="utf-8", write_through=True)
    saved, sys.stdout = sys.stdout, stream
    got = bytearray()

    def drain() -> None:
        time.sleep(0.5)
        while chunk := os.read(read_end, 1 << 16):
            got.extend(chunk)

    reader = threading.Thread(target=drain)
    previous = signal.signal(signal.SIGALRM, lambda *_: None)
    try:
        batch_unbuffered_stdout()
        reader.start()
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        sent = b"".join(f"avi_pool.p{i}: Refreshing state... [id=pool-{i:06d}]\n".encode()
                        for i in range(200))
        for line in sent.decode().splitlines():
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.stdout = saved
        stream.close()  # the reader sees the end of the pipe
        reader.join(30)
        os.close(read_end)
    assert bytes(got[backlog:]) == sent
