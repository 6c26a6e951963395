"""``did_you_mean``: the "Did you mean …?" suffix of diagnostics (as Terraform quotes it)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return f' Did you mean "{match[0]}"?' if match else ""
