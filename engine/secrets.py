"""Secret digests: how the state remembers a sensitive value it must never hold in clear.

The controller never returns a secret (a health monitor's password, a certificate's ``key``),
so after apply the only record of what was sent is a ``SecretDigest`` placed at the value's
path in the state's attributes. This module owns the whole rule:

* ``digest_sent(schema, sent, attributes)`` (apply): ``attributes`` with a fresh digest at
  every sensitive path ``sent`` holds a value at, and the earlier digest kept where it did not.
* ``keep_digests(prior, refreshed)`` (refresh): the digests of ``prior`` carried over where the
  controller answers nothing or ``<sensitive>``.
* ``sensitive_changed(want, have)`` (diff rule 6): whether a configured secret differs from
  what the state knows: ``True``/``False`` against a digest, ``False`` when the state knows
  nothing (absent or ``<sensitive>``: an object imported or created outside albform), and
  ``None`` when ``have`` is a clear value to compare normally (a state Terraform wrote).
* ``without_digests(value)`` (apply): what may be sent: a digest means "keep the controller's
  secret", so it is left out of the request.

Where the key lives (the trade-off). A digest is ``scrypt`` (N=2^14, r=8, p=1, ~50 ms) of the
value with a random 16-byte salt per digest, stored beside it. Anyone who can read the state
can therefore test guesses, but each guess costs ~50 ms of CPU and 16 MiB per digest, and equal
secrets in two places do not look equal. When ``ALBFORM_SECRET_DIGEST_KEY`` is set (a CI
secret, shared by everyone who plans against the same state), the value is first keyed with
HMAC-SHA256 under it, and a state reader without that key can test no guess at all. A digest
made under another key (or none) cannot be checked: the secret then counts as changed, is sent
again, and the state records it under the current key — one extra update, never a missed
rotation. The per-digest cost is paid only for configured secrets of existing objects (plan)
and for secrets sent (apply), and once per digest and working directory when the CLI keeps a
memo of the digests verified there (``secret_memo.py``, where its own trade-off is stated).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets as _random
from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.secret_memo import active_memo

KEY_ENV = "ALBFORM_SECRET_DIGEST_KEY"
SENSITIVE_MARKERS = ("<sensitive>",)
_SCHEME = "albform-scrypt-v1"
_N, _R, _P = 2**14, 8, 1


class SecretDigest(str):
    """``albform-scrypt-v1$<key id or ->$<salt>$<digest>``: safe to store, show and log."""

    __slots__ = ()

    @classmethod
    def of(cls, value: object) -> SecretDigest:
        """A new digest of ``value`` (any JSON value) under the current key."""
        key_id, keyed = _keyed(value)
        salt = _random.token_bytes(16)
        digest = cls("$".join((_SCHEME, key_id, _b64(salt), _b64(_stretch(keyed, salt)))))
        if (memo := active_memo()) is not None:
            memo.record(digest, keyed)
        return digest

    def matches(self, value: object) -> bool:
        """True only when ``value`` is what was digested, under the current key."""
        parts = self.split("$")
        if len(parts) != 4 or parts[0] != _SCHEME:
            return False
        key_id, keyed = _keyed(value)
        if parts[1] != key_id:
            return False  # another key made it: cannot tell, so "changed" (module docstring)
        memo = active_memo()
        if memo is not None and (known := memo.verdict(self, keyed)) is not None:
            return known
        try:
            salt, expected = base64.b64decode(parts[2]), base64.b64decode(parts[3])
        except ValueError:
            return False
        matched = hmac.compare_digest(_stretch(keyed, salt), expected)
        if matched and memo is not None:
            memo.record(self, keyed)
        return matched


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _keyed(value: object) -> tuple[str, bytes]:
    """(key id, the bytes to stretch): the canonical JSON of ``value``, HMAC'ed when a key
    is configured. ``"80"`` and ``80`` are different secrets: no coercion here."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = os.environ.get(KEY_ENV, "")
    if not key:
        return "-", text.encode("utf-8")
    return _key_id(key), hmac.new(key.encode(), text.encode("utf-8"), hashlib.sha256).digest()


def _key_id(key: str) -> str:
    return hashlib.sha256(b"albform-secret-key-id\0" + key.encode()).hexdigest()[:12]


def current_key_id() -> str:
    """The id of the digest key in use now (``-``: none), as digests made now record it:
    whether a stored digest matches depends on it (``SecretDigest.matches``)."""
    key = os.environ.get(KEY_ENV, "")
    return _key_id(key) if key else "-"


def _stretch(data: bytes, salt: bytes) -> bytes:
    return hashlib.scrypt(data, salt=salt, n=_N, r=_R, p=_P, dklen=32)


def sensitive_changed(want: Any, have: Any) -> bool | None:
    """Diff rule 6, the one place it is decided; see the module docstring."""
    if isinstance(have, SecretDigest):
        return not have.matches(want)
    if have is None or (isinstance(have, str) and have in SENSITIVE_MARKERS):
        return False
    return None


def digest_sent(schema: ResourceSchema | None, sent: Mapping[str, Any],
                attributes: Mapping[str, Any], previous: Mapping[str, Any] | None,
                ) -> dict[str, Any]:
    """``attributes`` (the controller's answer after create/update) with a digest at every
    sensitive path of ``schema`` that ``sent`` set, and ``previous``'s digest kept where
    ``sent`` did not (the secret was left as it was)."""
    out = dict(attributes)
    if schema is None:
        return out
    _digest_object(schema.attributes, sent, out)
    return dict(keep_digests(previous, out, schema.sensitive_paths())) if previous else out


def _digest_object(fields: Mapping[str, AttributeSchema], sent: Mapping[str, Any],
                   out: dict[str, Any]) -> None:
    for name, value in sent.items():
        attr = fields.get(name)
        if attr is None or value is None:
            continue
        if attr.sensitive:
            if not isinstance(value, SecretDigest) and value not in SENSITIVE_MARKERS:
                out[name] = SecretDigest.of(value)
            continue
        if attr.fields is None:
            continue
        have = out.get(name)
        if isinstance(value, Mapping) and isinstance(have, Mapping):
            inner = dict(have)
            _digest_object(attr.fields, value, inner)
            out[name] = inner
        elif isinstance(value, list) and isinstance(have, list) and len(value) == len(have):
            items = [dict(h) if isinstance(h, Mapping) else h for h in have]
            for v, h in zip(value, items, strict=True):
                if isinstance(v, Mapping) and isinstance(h, dict):
                    _digest_object(attr.fields, v, h)
            out[name] = items


def keep_digests(prior: Mapping[str, Any] | None, refreshed: Mapping[str, Any],
                 paths: Sequence[tuple[str, ...]]) -> Mapping[str, Any]:
    """``refreshed`` with ``prior``'s digests wherever the controller says nothing there.
    ``paths``: the type's sensitive paths (``ResourceSchema.sensitive_paths``), where digests
    can be; looking only there keeps refresh of large states cheap."""
    if not prior or not paths or not any(_digest_at(prior, path) for path in paths):
        return refreshed
    kept: Mapping[str, Any] = _keep(prior, refreshed)
    return kept


def _digest_at(node: Any, path: tuple[str, ...]) -> bool:
    """Is there a digest at ``path`` (names; lists on the way are expanded)?"""
    for i, step in enumerate(path):
        if isinstance(node, list):
            return any(_digest_at(item, path[i:]) for item in node)
        if not isinstance(node, Mapping):
            return False
        node = node.get(step)
    if isinstance(node, list):
        return any(isinstance(item, SecretDigest) for item in node)
    return isinstance(node, SecretDigest)


def _has_digest(value: Any) -> bool:
    if isinstance(value, SecretDigest):
        return True
    if isinstance(value, Mapping):
        return any(_has_digest(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_digest(v) for v in value)
    return False


def _keep(prior: Any, now: Any) -> Any:
    if isinstance(prior, SecretDigest):
        return prior if now is None or now in SENSITIVE_MARKERS else now
    if isinstance(prior, Mapping) and isinstance(now, Mapping) and _has_digest(prior):
        out = dict(now)
        for key, value in prior.items():
            if _has_digest(value):
                kept = _keep(value, now.get(key))
                if kept is not None:
                    out[key] = kept
        return out
    if isinstance(prior, list) and isinstance(now, list) and len(prior) == len(now) \
            and _has_digest(prior):
        return [_keep(p, n) for p, n in zip(prior, now, strict=True)]
    return now


def without_digests(value: Any) -> Any:
    """``value`` with every digest left out (a request must never carry one)."""
    if isinstance(value, Mapping):
        return {k: without_digests(v) for k, v in value.items()
                if not isinstance(v, SecretDigest)}
    if isinstance(value, list):
        return [without_digests(v) for v in value]
    return value


def digest_clear_values(attributes: Mapping[str, Any],
                        paths: list[tuple[str, ...]]) -> Mapping[str, Any]:
    """``attributes`` with every clear value at a sensitive ``paths`` (schema paths, list
    elements expanded) replaced by its digest: a state Terraform or the official provider
    wrote keeps the configured secret in clear; from the moment albform reads it, only the
    digest remains, so a later rotation is still detected. The input is never modified."""
    changed = False

    def walk(node: Any, rest: tuple[str, ...]) -> Any:
        nonlocal changed
        if isinstance(node, list):
            return [walk(item, rest) for item in node]
        if not isinstance(node, Mapping) or rest[0] not in node:
            return node
        value = node[rest[0]]
        if len(rest) > 1:
            inner = walk(value, rest[1:])
            return node if inner is value else {**node, rest[0]: inner}
        if value is None or isinstance(value, SecretDigest) or value in SENSITIVE_MARKERS:
            return node
        changed = True
        return {**node, rest[0]: SecretDigest.of(value)}

    out: Any = attributes
    for path in paths:
        if path:
            out = walk(out, tuple(path))
    return out if changed else attributes
