"""engine/sealed_file.py: what is sealed reads back for the same key and binding, and any
other key, binding or byte of the file reads as absent."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.sealed_file import read_sealed, write_sealed

KEY = b"k" * 32


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=300), binding=st.binary(max_size=40),
       where=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_sealed_payloads_read_back_and_any_change_is_refused(
        tmp_path_factory: object, payload: bytes, binding: bytes, where: int, flip: int) -> None:
    folder = tmp_path_factory.mktemp("sealed")  # type: ignore[attr-defined]
    path = Path(folder) / "memo" / "entry.bin"
    write_sealed(path, KEY, binding, payload)
    assert read_sealed(path, KEY, binding) == payload
    assert read_sealed(path, b"other key", binding) is None
    assert read_sealed(path, KEY, binding + b"x") is None
    data = bytearray(path.read_bytes())
    data[where % len(data)] ^= flip
    path.write_bytes(bytes(data))
    assert read_sealed(path, KEY, binding) is None
    path.write_bytes(bytes(data[: where % len(data)]))  # cut short
    assert read_sealed(path, KEY, binding) is None


def test_a_missing_entry_or_an_unwritable_folder_is_no_error(tmp_path: Path) -> None:
    assert read_sealed(tmp_path / "absent.bin", KEY, b"b") is None
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    write_sealed(blocker / "entry.bin", KEY, b"b", b"payload")  # a cache: nothing raised
    assert list(tmp_path.iterdir()) == [blocker]
