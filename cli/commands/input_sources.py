"""``apply`` and ``destroy`` for the commands whose configuration is read from inputs
(``cluster``, ``gslb``): the rules they share, written once.

* ``apply PLANFILE``: a saved plan records its inputs, so an input flag beside it is a usage
  error naming the flags to drop;
* ``destroy``: with no input flag the state alone says what to delete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from albform.cli.commands.plan import run_args
from albform.cli.operations import run_apply_saved, run_plan
from albform.cli.sources import ConfigSource
from albform.cli.workspace import Workspace

# Parameter name -> the flag that sets it, for one command family's inputs.
InputFlags = Mapping[str, str]


def apply_inputs_or_saved(ws: Workspace, planfile: str | None, params: dict[str, Any],
                          inputs: InputFlags, source: Callable[[], ConfigSource]) -> int:
    """Apply a saved plan (no input flags allowed beside it), else plan ``source()`` and
    apply."""
    if planfile:
        given = [flag for name, flag in inputs.items() if params.get(name)]
        if given:
            raise click.UsageError(f"a saved plan records its inputs: drop {', '.join(given)}")
        return run_apply_saved(ws, Path(planfile), run_args(params))
    return run_plan(ws, source(), run_args(params), apply=True)


def destroy_inputs_or_state(ws: Workspace, params: dict[str, Any], inputs: InputFlags,
                            source: Callable[[], ConfigSource]) -> int:
    """Destroy what ``source()`` configures, or, with no input flag given, what the state
    holds."""
    given = any(params.get(name) for name in inputs)
    config = source() if given else ConfigSource.state_only()
    return run_plan(ws, config, run_args(params, destroy=True), apply=True)
