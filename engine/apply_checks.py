"""The final-plan check of an apply: what apply is about to send must match what the plan
showed wherever the plan knew the value (``mismatched_paths``, ``check_consistent``); and
``StepError``, how a step that cannot run says why.

Apply recomputes every value from the configuration against the new state; a difference from
the plan at a path the plan did know means the plan and apply disagree (a bug, or the world
changed in a way the plan could not see). Terraform refuses such a change ("Provider produced
inconsistent final plan"); so does albform, with the paths. Values compare under the diff's
coercion rules (``"80"`` equals ``80``); ``UNKNOWN`` in the plan matches anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.changes import ResourceChange
from albform.engine.diff import values_equal
from albform.engine.provider import Provider
from albform.engine.values import UNKNOWN

Path = tuple[str | int, ...]


class StepError(Exception):
    """A step that cannot run for a reason the user can act on (not a provider failure)."""

    def __init__(self, summary: str, detail: str) -> None:
        super().__init__(detail)
        self.summary = summary
        self.detail = detail


def check_consistent(provider: Provider, change: ResourceChange,
                     sending: Mapping[str, Any]) -> None:
    """Raise ``StepError`` ("Inconsistent final plan", with the paths) when ``sending``
    differs from the plan's ``after`` where the plan knew the value. Nothing is sent then."""
    if change.after is None:
        return
    paths = mismatched_paths(change.after, sending)
    if paths:
        # A value planned as a by-name reference to an object this apply created earlier
        # canonicalises differently now that the object exists (the provider's canonical
        # form holds its uuid): compare the planned values canonicalised now, like with
        # like, before calling the plan inconsistent.
        replanned = provider.canonicalize(change.address.type, dict(change.after))
        paths = mismatched_paths(replanned, sending)
    if paths:
        # Computed-only attributes are the server's, never sent (an imported object's id
        # is its url, spelt with the address this run reached the controller at).
        schema = provider.schema(change.address.type)
        paths = [p for p in paths if schema is None
                 or not ((attr := schema.attribute(p)) is not None and attr.computed_only)]
    if paths:
        shown = ", ".join(format_path(p) for p in paths[:10])
        raise StepError(
            "Inconsistent final plan",
            f"When applying changes to {change.address}, the values to send differ from "
            f"the plan at: {shown}. Nothing was sent for this resource. Plan again; if "
            "the new plan shows the same change, this is a bug in albform.")


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
