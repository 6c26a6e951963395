"""Rendering diagnostics the way Terraform does (boxed "Error: summary" blocks) or as JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import click

from albform.engine.diagnostics import Diagnostic, Severity


def format_diagnostic(diag: Diagnostic, *, color: bool = False) -> str:
    label = "Error" if diag.severity is Severity.ERROR else "Warning"
    head = click.style(f"{label}: ", fg="red" if diag.is_error else "yellow", bold=True) \
        if color else f"{label}: "
    lines = ["╷", f"│ {head}{diag.summary}", "│"]
    if diag.subject is not None:
        lines.append(f"│   on {diag.subject.filename} line {diag.subject.start_line}:")
    if diag.address is not None:
        lines.append(f"│   with {diag.address},")
    if diag.detail:
        if diag.subject is not None or diag.address is not None:
            lines.append("│")
        lines.extend(f"│ {line}" if line else "│" for line in diag.detail.splitlines())
    lines.append("╵")
    return "\n".join(lines)


def diagnostic_json(diag: Diagnostic) -> dict[str, object]:
    out: dict[str, object] = {
        "severity": diag.severity.value,
        "summary": diag.summary,
        "detail": diag.detail,
    }
    if diag.address is not None:
        out["address"] = str(diag.address)
    if diag.subject is not None:
        out["range"] = {
            "filename": diag.subject.filename,
            "start": {"line": diag.subject.start_line, "column": diag.subject.start_column or 1},
            "end": {"line": diag.subject.end_line or diag.subject.start_line},
        }
    return out


def show_diagnostics(diags: Iterable[Diagnostic], *, json_mode: bool = False,
                     color: bool = False) -> None:
    """Print diagnostics to stderr (human) or as JSON lines to stdout. Progress lines still
    buffered on stdout (``views/progress.py``) are flushed first, so both streams read in
    order when they go to one place."""
    sys.stdout.flush()
    for diag in diags:
        if json_mode:
            from albform.cli.views.json_ui import diagnostic_line

            click.echo(json.dumps(diagnostic_line(diag), separators=(",", ":")))
        else:
            click.echo(format_diagnostic(diag, color=color), err=True)
