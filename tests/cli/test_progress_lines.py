"""Progress lines into a pipe: buffered (no flush per line), flushed on demand and by the
writer's own ticker — so a consumer reading line by line still gets every line."""

from __future__ import annotations

import contextlib
import io
import os
import select
import sys
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



class CountingStream(io.StringIO):
    """A non-terminal stdout that counts its writes (a system call each, unbuffered)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_the_refresh_announces_every_object_in_one_write() -> None:
    """``pre_refresh_all`` writes a line per object, in order, in one write (human and
    ``-json`` views): unbuffered, 50,000 lines were 50,000 system calls."""
    import json

    from albform.cli.views.json_ui import JsonUI, resource_json
    from albform.cli.views.progress import ProgressView
    from albform.engine.addrs import ResourceAddress
    from albform.engine.hooks import NullHook

    addresses = [ResourceAddress("avi_pool", f"p{i}") for i in range(5)]
    for make in (ProgressView, JsonUI):
        stream = CountingStream()
        saved, sys.stdout = sys.stdout, stream
        try:
            view = make()
            view.pre_refresh_all(addresses)
            view._lines.flush()
        finally:
            sys.stdout = saved
        assert stream.writes == 1, make
        if make is ProgressView:
            assert stream.getvalue() == "".join(f"{a}: Refreshing state...\n"
                                                for a in addresses)
        else:  # Terraform's refresh_start documents
            lines = [json.loads(line) for line in stream.getvalue().splitlines()]
            assert [(d["type"], d["@message"], d["hook"]) for d in lines] == [
                ("refresh_start", f"{a}: Refreshing state...", {"resource": resource_json(a)})
                for a in addresses]

    class Recording(NullHook):
        def __init__(self) -> None:
            self.seen: list[ResourceAddress] = []

        def pre_refresh(self, address: ResourceAddress) -> None:
            self.seen.append(address)

    hook = Recording()
    hook.pre_refresh_all(addresses)  # a hook with pre_refresh only gets each address
    assert hook.seen == addresses
