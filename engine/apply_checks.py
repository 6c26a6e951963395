"""The final-plan check of an apply: what apply is about to send must match what the plan
showed wherever the plan knew the value (``mismatched_paths``).

Apply recomputes every value from the configuration against the new state; a difference from
the plan at a path the plan did know means the plan and apply disagree (a bug, or the world
changed in a way the plan could not see). Terraform refuses such a change ("Provider produced
inconsistent final plan"); so does albform, with the paths. Values compare under the diff's
coercion rules (``"80"`` equals ``80``); ``UNKNOWN`` in the plan matches anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.diff import values_equal
from albform.engine.values import UNKNOWN

Path = tuple[str | int, ...]


def mismatched_paths(planned: Mapping[str, Any], sending: Mapping[str, Any]) -> list[Path]:
    """Paths where ``planned`` (the plan's ``after``) has a known value that ``sending``
    does not match."""
    out: list[Path] = []
    _compare(dict(planned), dict(sending), (), out)
    return out


def _compare(planned: Any, sending: Any, path: Path, out: list[Path]) -> None:
    if planned is UNKNOWN:
        return
    if isinstance(planned, dict):
        if not isinstance(sending, dict):
            if planned or sending not in (None, [], {}):
                out.append(path)
            return
        for key, value in planned.items():
            _compare(value, sending.get(key), (*path, key), out)
        return
    if isinstance(planned, list):
        if not isinstance(sending, list) or len(sending) != len(planned):
            if planned or sending not in (None, [], {}):
                out.append(path)
            return
        for i, (p, s) in enumerate(zip(planned, sending, strict=True)):
            _compare(p, s, (*path, i), out)
        return
    if not values_equal(planned, sending):
        out.append(path)


def format_path(path: Path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "(root)"
