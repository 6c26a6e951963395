"""How two PR tools read plan text, ported from their published parsing rules (facts only:
the patterns and which lines start and end each section), so tests can check that albform's
real output gives them everything they look for.

- tfcmt (suzuki-shunsuke/tfcmt, ``pkg/terraform/parser.go``): the result line, the change
  details (from ``Terraform will perform the following actions:`` or OpenTofu's equivalent to
  the ``─────`` rule), the "changed outside" section (from ``Note: Objects have changed
  outside of Terraform``/``OpenTofu`` to the line starting ``Unless you have made equivalent
  changes to your configuration``), and per-resource lists from the ``# ADDR will be ...``
  comments (an ``# (imported from ...)``/``# (moved from ...)`` line credits the header above).
- Atlantis (runatlantis/atlantis, ``server/events/models/models.go``): the one-line summary
  from the ``Plan: ...`` and ``No changes. ...`` patterns, prefixed by the bold drift note when
  ``Note: Objects have changed outside of Terraform`` appears anywhere in the output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# -- tfcmt --------------------------------------------------------------------------------------
_PASS = re.compile(r"^(Plan: \d|No changes.)", re.M)
_FAIL = re.compile(r"^([│|] )?(Error: )", re.M)
_OUTPUTS = re.compile(r"^Changes to Outputs:", re.M)
_HAS_DESTROY = re.compile(r"([1-9][0-9]* to destroy.)", re.M)
_NO_CHANGES = re.compile(r"^(No changes.)", re.M)
_CREATE = re.compile(r"^ *# (.*) will be created$")
_UPDATE = re.compile(r"^ *# (.*) will be updated in-place$")
_DELETE = re.compile(r"^ *# (.*) will be destroyed$")
_REPLACE = re.compile(r"^ *# (.*?)(?: is tainted, so)? must be replaced$")
_REPLACE_OPTION = re.compile(r"^ *# (.*?) will be replaced, as requested$")
_MOVE = re.compile(r"^ *# (.*?) has moved to (.*?)$")
_IMPORT = re.compile(r"^ *# (.*?) will be imported$")
_IMPORTED_FROM = re.compile(r"^ *# \(imported from (.*?)\)$")
_MOVED_FROM = re.compile(r"^ *# \(moved from (.*?)\)$")
_OUTSIDE_STARTS = ("Note: Objects have changed outside of Terraform",
                   "Note: Objects have changed outside of OpenTofu")
_OUTSIDE_ENDS = "Unless you have made equivalent changes to your configuration"
_CHANGES_START = ("Terraform will perform the following actions:",
                  "OpenTofu will perform the following actions:")


@dataclass
class TfcmtResult:
    result: str = ""
    outside_terraform: str = ""
    changed_result: str = ""
    has_destroy: bool = False
    has_no_changes: bool = False
    has_error: bool = False
    parse_error: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)


def _first_group(pattern: re.Pattern[str], line: str) -> str:
    m = pattern.search(line)
    return m.group(1) if m else ""


def _header_above(line: str) -> str:
    """The resource an ``# (imported/moved from ...)`` line belongs to (tfcmt looks only at
    update and replace headers)."""
    for pattern in (_UPDATE, _REPLACE, _REPLACE_OPTION):
        if found := _first_group(pattern, line):
            return found
    return ""


def tfcmt_parse_plan(body: str) -> TfcmtResult:
    if not (_FAIL.search(body) or _PASS.search(body) or _OUTPUTS.search(body)):
        return TfcmtResult(parse_error=True)
    lines = body.split("\n")
    out = TfcmtResult()
    first = -1
    outside = [-1, -1]
    changes = [-1, -1]
    for i, line in enumerate(lines):
        if line in _OUTSIDE_STARTS:
            outside[0] = i + 1
        if outside[0] != -1 and outside[1] == -1 and line.startswith(_OUTSIDE_ENDS):
            outside[1] = i + 1
        if line in _CHANGES_START:
            changes[0] = i + 1
        if line == "Changes to Outputs:" and changes[0] == -1:
            changes[0] = i
        if line.startswith(("─────", "-----")) and changes[0] != -1 and changes[1] == -1:
            changes[1] = i - 1
        if first == -1 and (_FAIL.search(line) or _PASS.search(line) or _OUTPUTS.search(line)):
            first = i
        if found := _first_group(_CREATE, line):
            out.created.append(found)
        elif found := _first_group(_UPDATE, line):
            out.updated.append(found)
        elif found := _first_group(_DELETE, line):
            out.deleted.append(found)
        elif found := _first_group(_REPLACE, line) or _first_group(_REPLACE_OPTION, line):
            out.replaced.append(found)
        elif found := _first_group(_IMPORT, line):
            out.imported.append(found)
        elif _first_group(_IMPORTED_FROM, line):
            if i and (target := _header_above(lines[i - 1])):
                out.imported.append(target)
        elif m := _MOVE.search(line):
            out.moved.append((m.group(1), m.group(2)))
        elif (source := _first_group(_MOVED_FROM, line)) and i and (
                target := _header_above(lines[i - 1])):
            out.moved.append((source, target))
    first_line = lines[first] if first != -1 else ""
    if _FAIL.search(first_line):
        out.has_error = True
        out.result = "\n".join(lines[first:]).strip()
    elif _PASS.search(first_line):
        out.result = first_line.strip()
    elif _OUTPUTS.search(first_line):
        out.result = "Only Outputs will be changed."
    out.has_destroy = bool(_HAS_DESTROY.search(first_line))
    out.has_no_changes = bool(_NO_CHANGES.search(first_line))
    if outside[0] != -1:
        end = outside[1] if outside[1] != -1 else len(lines)
        out.outside_terraform = "\n".join(lines[outside[0]:end])
    if changes[0] != -1:
        end = changes[1] if changes[1] != -1 else len(lines) - 1
        out.changed_result = "\n".join(lines[changes[0]:end])
    return out


# -- Atlantis -----------------------------------------------------------------------------------
_CHANGES_OUTSIDE = re.compile(r"Note: Objects have changed outside of Terraform")
_PLAN_CHANGES = re.compile(r"Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, "
                           r"(\d+) to destroy(?:, (\d+) to forget)?\.")
_ATLANTIS_NO_CHANGES = re.compile(
    r"No changes. (Infrastructure is up-to-date|Your infrastructure matches the configuration).")


def atlantis_diff_summary(output: str) -> str:
    """The one-line summary Atlantis shows (counts summed over every ``Plan:`` line)."""
    matches = _PLAN_CHANGES.findall(output)
    if not matches:
        m = _ATLANTIS_NO_CHANGES.search(output)
        return m.group(0) if m else ""
    imp, add, change, destroy, forget = (sum(int(m[i] or 0) for m in matches)
                                         for i in range(5))
    text = f"Plan: {add} to add, {change} to change, {destroy} to destroy"
    if imp:
        text = f"Plan: {imp} to import, {add} to add, {change} to change, {destroy} to destroy"
    return text + (f", {forget} to forget." if forget else ".")


def atlantis_summary(output: str) -> str:
    m = _CHANGES_OUTSIDE.search(output)
    note = f"\n**{m.group(0)}**\n" if m else ""
    return note + atlantis_diff_summary(output)


def atlantis_no_changes(output: str) -> bool:
    return not _PLAN_CHANGES.search(output) and bool(_ATLANTIS_NO_CHANGES.search(output))


def atlantis_strip_refreshing(output: str) -> str:
    """Atlantis (Terraform >= 0.14) drops everything up to the last "Refreshing state..."."""
    lines = output.split("\n")
    last = max((i for i, line in enumerate(lines) if "Refreshing state..." in line), default=0)
    return "\n".join(lines[last + 1:]) if last else output
