"""Checking constructor keyword arguments against the provider schema's argument names.

Shared by the pure-Python constructs and the cdktf interop classes so both reject the same
mistakes the same way: an unknown argument is a ``TypeError`` naming it (with "Did you mean
…?" when a close name exists); a missing required argument is a ``TypeError`` too. Values are
not type-checked here: a value may be a token, and the provider's own diagnostics cover the
rest at plan time.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Any


def suggestion(name: str, candidates: Collection[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.7)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_arguments(what: str, given: Mapping[str, Any], allowed: Collection[str],
                    required: Collection[str] = ()) -> dict[str, Any]:
    """The given arguments without ``None`` values; raises ``TypeError`` on a mistake."""
    for name in given:
        if name not in allowed:
            raise TypeError(f"{what} got an unexpected argument {name!r}."
                            + suggestion(name, allowed))
    missing = [name for name in required if given.get(name) is None]
    if missing:
        raise TypeError(f"{what} is missing required argument(s): "
                        + ", ".join(repr(m) for m in missing))
    return {k: v for k, v in given.items() if v is not None}
