"""The two hashes AKO names objects with: FNV-1a 32-bit shard buckets (``Bkt`` in
pkg/utils/utils.go) and the SHA-1 ``Encode`` of EVH names (lib.go). Pure functions."""

from __future__ import annotations

import hashlib

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193

SHARD_SIZES = {"LARGE": 8, "MEDIUM": 4, "SMALL": 1, "DEDICATED": 0}


def fnv1a_32(text: str) -> int:
    """Go's ``hash/fnv`` New32a over the UTF-8 bytes of ``text``."""
    value = _FNV_OFFSET
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def shard_bucket(host: str, size: int) -> int:
    """AKO's ``Bkt``: ``hash & (size - 1)``; the host is hashed exactly as written."""
    if size <= 1:
        return 0
    return fnv1a_32(host) & (size - 1)


def sha1_hex(text: str) -> str:
    # SHA-1 names objects here (AKO compatibility); it protects nothing.
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
