"""Option groups shared by several commands, as decorators (Terraform's flag names; both
``-flag`` and ``--flag`` spellings are accepted)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _flag(name: str) -> tuple[str, str]:
    return (f"-{name}", f"--{name}")


def parse_duration(value: str) -> float:
    """Terraform durations: ``0s``, ``30s``, ``5m``, ``1m30s``, or plain seconds."""
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise click.BadParameter(f"invalid duration {value!r} (examples: 0s, 30s, 5m)")
    return total


def backend_options(f: F) -> F:
    """Where the state is: for every command that reads or writes it."""
    f = click.option(*_flag("state"), "state_path", default=None, type=click.Path(),
                     help="Path of a local state file (overrides the configured backend).")(f)
    f = click.option(*_flag("backend"), "backend_name", default=None,
                     type=click.Choice(["local", "http", "pg"]),
                     help="State backend when the configuration names none (cluster "
                          "commands); settings via -backend-config or the backend's env vars "
                          "(e.g. PG_CONN_STR).")(f)
    f = click.option(*_flag("backend-config"), "backend_config", multiple=True,
                     metavar="KEY=VALUE", help="A backend setting (repeatable).")(f)
    return f


def state_options(f: F) -> F:
    """``backend_options`` plus the lock flags, for commands that hold the state lock."""
    f = click.option(*_flag("lock"), "lock", type=bool, default=True, show_default=True,
                     help="Hold the state lock during the operation.")(f)
    f = click.option(*_flag("lock-timeout"), "lock_timeout", default="0s",
                     help="How long to retry a held state lock (e.g. 30s).")(f)
    return backend_options(f)


def use_color(no_color: bool) -> bool:
    """Colour only on a terminal, and never with ``-no-color`` or ``NO_COLOR`` set to anything
    non-empty (no-color.org); the one place the CLI decides it."""
    return sys.stdout.isatty() and not no_color and not os.environ.get("NO_COLOR")


def output_options(f: F) -> F:
    f = click.option(*_flag("json"), "json_mode", is_flag=True,
                     help="Machine-readable JSON output.")(f)
    f = click.option(*_flag("no-color"), "no_color", is_flag=True,
                     help="Disable colour.")(f)
    return f


def variable_options(f: F) -> F:
    f = click.option(*_flag("var"), "variables", multiple=True, metavar="NAME=VALUE",
                     help="Set a variable (repeatable).")(f)
    f = click.option(*_flag("var-file"), "var_files", multiple=True, type=click.Path(),
                     help="Load variables from a .tfvars file (repeatable).")(f)
    return f


def destroy_plan_options(f: F) -> F:
    """What a destroy plan takes: ``plan_options`` without -replace and -refresh-only, which
    mean nothing when everything is deleted."""
    f = click.option(*_flag("target"), "targets", multiple=True, metavar="ADDRESS",
                     help="Limit planning to this resource and its dependencies.")(f)
    f = click.option(*_flag("refresh"), "refresh", type=bool, default=True, show_default=True,
                     help="Read the real objects before planning.")(f)
    f = click.option(*_flag("parallelism"), "parallelism", type=click.IntRange(1, 256),
                     default=10, show_default=True, help="Concurrent operations.")(f)
    f = click.option(*_flag("allow-mass-delete"), "force_deletes", is_flag=True,
                     help="Override the blast-radius guard that refuses plans deleting more "
                          "than --max-delete-fraction of the managed objects.")(f)
    f = click.option(*_flag("max-delete-fraction"), "max_delete_fraction", type=float,
                     default=0.5, show_default=True,
                     help="Blast-radius guard threshold (share of managed objects).")(f)
    # Terraform's CI habit (`-input=false`): albform never prompts for variables, so the
    # flag only has to be accepted; the apply approval prompt is governed by -auto-approve.
    f = click.option(*_flag("input"), "input", type=bool, default=True, show_default=True,
                     help="Ask for missing variables (albform never does; accepted for "
                          "Terraform compatibility).")(f)
    return f


def plan_options(f: F) -> F:
    f = click.option(*_flag("replace"), "replace", multiple=True, metavar="ADDRESS",
                     help="Force replacement of this resource instance.")(f)
    f = click.option(*_flag("refresh-only"), "refresh_only", is_flag=True,
                     help="Only reconcile state with the real objects (drift).")(f)
    return destroy_plan_options(f)


def parse_vars(items: tuple[str, ...], flag: str = "-var") -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=flag)
        out[name.strip()] = value
    return out


def parse_backend_config(items: tuple[str, ...], base: Path) -> dict[str, Any]:
    """``-backend-config`` values as Terraform takes them: ``KEY=VALUE``, or the path of a
    file of ``key = value`` assignments (the ``.tfvars`` format; relative to ``base``). Later
    items win. A file albform cannot read is a usage error naming it and the reason."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" in item:
            out.update(parse_vars((item,), "-backend-config"))
            continue
        # Only a file needs the HCL reader: every plan parses the option, few name a file.
        from albform.engine.diagnostics import Diagnostics
        from albform.modules.hcl.variables import read_values_file

        path = Path(item) if Path(item).is_absolute() else base / item
        diags = Diagnostics()
        values = read_values_file(path, diags)
        if diags.has_errors():
            first = diags.errors()[0]
            where = f" ({first.subject})" if first.subject else ""
            raise click.BadParameter(f"{first.summary}{where}: {first.detail}",
                                     param_hint="-backend-config")
        out.update({name: given.value for name, given in values.items()})
    return out


def approve_option(f: F) -> F:
    return click.option(*_flag("auto-approve"), "auto_approve", is_flag=True,
                        help="Skip the interactive approval.")(f)


def apply_options(f: F) -> F:
    """Everything ``apply``-style commands take (plan, state, output, approval)."""
    return plan_options(state_options(output_options(approve_option(f))))


def destroy_options(f: F) -> F:
    """``apply_options`` for destroy commands (no -replace, no -refresh-only)."""
    return destroy_plan_options(state_options(output_options(approve_option(f))))


def plan_command_options(f: F) -> F:
    """A front end's ``plan`` command (``cluster plan``, ``gslb plan``): planning, state and
    output options, ``-out`` and ``-detailed-exitcode``."""
    f = click.option(*_flag("detailed-exitcode"), "detailed_exitcode", is_flag=True,
                     help="Exit 0 for no changes, 1 for errors, 2 for changes.")(f)
    f = click.option(*_flag("out"), "out", type=click.Path(),
                     help="Save the plan to a file.")(f)
    return plan_options(state_options(output_options(f)))
