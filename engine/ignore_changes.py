"""``lifecycle.ignore_changes``: the one rule planning and apply both use.

``keep_ignored(desired, prior, lifecycle)`` is the desired object with every ignored path
taken from the prior object instead. Planning diffs that result against the prior object,
and apply sends exactly that result, so what the plan shows is what apply sends.

The rule:

1. ``ignore_changes = all`` (``ignore_all_changes``, or the path ``("*",)``): the prior
   object as it is.
2. A path names an attribute, a field inside a nested block, or a list element by index
   (``servers[0].enabled`` is ``("servers", 0, "enabled")``); only that value is ignored,
   the rest of the list and of the element still count.
3. Where the prior object has a value at the path, it replaces the desired one; where the
   prior object has none (an object field it lacks), the desired field is removed, so it is
   neither compared nor sent.
4. A path through a container either object lacks (a nested block one side does not set, an
   index beyond either list) ignores nothing: a new list element is compared and sent whole.

Neither input is modified.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from albform.engine.config import Lifecycle

Path = tuple[str | int, ...]
_MISSING = object()


def keep_ignored(desired: Mapping[str, Any], prior: Mapping[str, Any],
                 lifecycle: Lifecycle) -> dict[str, Any]:
    """``desired`` with every ``ignore_changes`` path of ``lifecycle`` taken from ``prior``."""
    if lifecycle.ignore_all_changes or ("*",) in lifecycle.ignore_changes:
        return dict(prior)  # rule 1
    out = dict(desired)
    for path in lifecycle.ignore_changes:
        if path:
            out = _with_prior(out, prior, path)
    return out


def _with_prior(target: Any, source: Any, path: Path) -> Any:
    """A copy of ``target`` whose value at ``path`` is ``source``'s (rules 2-4); containers
    off the path are shared with ``target``, never mutated."""
    step, rest = path[0], path[1:]
    have = _get(target, step)
    if have is _MISSING and (rest or isinstance(target, list)):
        return target  # rule 4
    value = _get(source, step)
    if rest:
        if value is _MISSING:
            return target  # rule 4
        replaced = _with_prior(have, value, rest)
    else:
        replaced = value if value is _MISSING else copy.deepcopy(value)
    if isinstance(target, dict) and isinstance(step, str):
        out = dict(target)
        if replaced is _MISSING:
            out.pop(step, None)  # rule 3
        else:
            out[step] = replaced
        return out
    if isinstance(target, list) and isinstance(step, int) and replaced is not _MISSING:
        items = list(target)
        items[step] = replaced
        return items
    return target


def _get(container: Any, step: str | int) -> Any:
    if isinstance(container, Mapping) and isinstance(step, str):
        return container.get(step, _MISSING)
    if isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container):
        return container[step]
    return _MISSING
