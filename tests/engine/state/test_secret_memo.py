"""The memo of verified secret digests (``engine/secret_memo.py``) gives the answers scrypt
gives, without scrypt for a digest it knows, across runs in one working directory."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine import secrets
from albform.engine.secret_memo import remembered_digests as remembered
from albform.engine.secrets import SecretDigest

KEY = b"k" * 32


def remembered_digests(path: Path, key: bytes = KEY) -> Any:
    return remembered(path, key)


def no_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes, salt: bytes) -> bytes:
        raise AssertionError("scrypt ran although the memo knows the digest")

    monkeypatch.setattr(secrets, "_stretch", refuse)


def test_a_digest_checked_once_is_answered_from_the_memo_next_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = tmp_path / "memo.json"
    digest = SecretDigest.of("key-pem-1")  # made outside any memo (an older run)
    with remembered_digests(memo):
        assert digest.matches("key-pem-1")  # scrypt, then remembered
    assert stat.S_IMODE(memo.stat().st_mode) == 0o600
    assert "key-pem-1" not in memo.read_text()
    no_scrypt(monkeypatch)
    with remembered_digests(memo):
        assert digest.matches("key-pem-1")
    monkeypatch.undo()
    with remembered_digests(memo):
        assert not digest.matches("key-pem-2")  # another fingerprint: scrypt says changed


def test_digests_made_at_apply_are_known_to_the_next_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = tmp_path / "memo.json"
    with remembered_digests(memo):
        digest = SecretDigest.of({"pem": "abc"})
    no_scrypt(monkeypatch)
    with remembered_digests(memo):
        assert digest.matches({"pem": "abc"})


def test_only_digests_seen_in_the_last_run_are_kept(tmp_path: Path) -> None:
    memo = tmp_path / "memo.json"
    with remembered_digests(memo):
        old, kept = SecretDigest.of("old"), SecretDigest.of("kept")
    with remembered_digests(memo):
        assert kept.matches("kept")
    assert list(json.loads(memo.read_text())["digests"]) == [kept]
    assert old  # its digest is no longer remembered: scrypt decides next time


@pytest.mark.parametrize("content", ["", "not json", '{"version": 2, "digests": 3}',
                                     '{"version": 99}', "[]"])
def test_an_unreadable_memo_is_ignored(tmp_path: Path, content: str) -> None:
    memo = tmp_path / "memo.json"
    memo.write_text(content)
    digest = SecretDigest.of("s")
    with remembered_digests(memo):
        assert digest.matches("s") and not digest.matches("t")
    assert json.loads(memo.read_text())["version"] == 2


def test_a_memo_forged_or_made_under_another_key_is_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = tmp_path / "memo.json"
    digest = SecretDigest.of("old-key-pem")
    with remembered_digests(memo):
        assert digest.matches("old-key-pem")
    # Whoever can write the working tree cannot make a rotated key look unchanged: the
    # fingerprints are under a key that is not in the memo.
    doc = json.loads(memo.read_text())
    doc["digests"][digest] = hmac.new(b"guess", b'"rotated"', hashlib.sha256).hexdigest()
    memo.write_text(json.dumps(doc))
    with remembered_digests(memo):
        assert not digest.matches("rotated")
    # Another user's key: the memo says nothing; scrypt decides.
    with remembered_digests(memo):
        assert digest.matches("old-key-pem")
    no_scrypt(monkeypatch)
    with pytest.raises(AssertionError, match="scrypt ran"), remembered_digests(memo, b"x" * 32):
        digest.matches("old-key-pem")


def test_nothing_is_written_without_a_digest_to_remember(tmp_path: Path) -> None:
    memo = tmp_path / ".albform" / "memo.json"
    with remembered_digests(memo):
        pass
    assert not memo.parent.exists()


def test_another_key_still_counts_as_changed(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    memo = tmp_path / "memo.json"
    with remembered_digests(memo):
        digest = SecretDigest.of("s")
    monkeypatch.setenv(secrets.KEY_ENV, "a-ci-key")
    with remembered_digests(memo):
        assert not digest.matches("s")


values = st.one_of(st.text(max_size=8), st.integers(), st.lists(st.text(max_size=3), max_size=2))


@settings(max_examples=15, deadline=None)
@given(made=values, checked=values)
def test_the_memo_answers_as_scrypt_does(tmp_path_factory: Any, made: Any, checked: Any) -> None:
    memo = tmp_path_factory.mktemp("memo") / "memo.json"
    digest = SecretDigest.of(made)
    truth = digest.matches(checked)
    with remembered_digests(memo):
        assert digest.matches(made)
    with remembered_digests(memo):
        assert digest.matches(checked) == truth
