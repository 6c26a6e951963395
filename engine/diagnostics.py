"""Diagnostics: how user mistakes are reported (configuration, translation, planning).

Functions that speak diagnostics return ``(value, Diagnostics)`` and keep going after an error
where they can, so users see every problem at once. Summaries are fixed phrases with no user
data ("Unsupported argument"); details are sentences: what is wrong, why, how to fix it.
Exceptions are reserved for failures of lower layers (I/O, the controller) and for bugs.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from albform.engine.addrs import ResourceAddress


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class SourceRange:
    """Where in a file a diagnostic points. Lines are 1-based; columns are optional because
    python-hcl2 reports lines only."""

    filename: str
    start_line: int
    end_line: int | None = None
    start_column: int | None = None

    def __str__(self) -> str:
        column = f":{self.start_column}" if self.start_column else ""
        return f"{self.filename}:{self.start_line}{column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    summary: str
    detail: str = ""
    subject: SourceRange | None = None
    address: ResourceAddress | None = None

    @classmethod
    def error(cls, summary: str, detail: str = "", *, subject: SourceRange | None = None,
              address: ResourceAddress | None = None) -> Diagnostic:
        return cls(Severity.ERROR, summary, detail, subject, address)

    @classmethod
    def warning(cls, summary: str, detail: str = "", *, subject: SourceRange | None = None,
                address: ResourceAddress | None = None) -> Diagnostic:
        return cls(Severity.WARNING, summary, detail, subject, address)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.subject}: " if self.subject else ""
        on = f" (on {self.address})" if self.address else ""
        detail = f"\n  {self.detail}" if self.detail else ""
        return f"{self.severity.value.capitalize()}: {where}{self.summary}{on}{detail}"


class Diagnostics(list[Diagnostic]):
    """An ordered list of diagnostics; empty means all is well."""

    def has_errors(self) -> bool:
        return any(d.is_error for d in self)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.is_error]

    def extend_from(self, more: Iterable[Diagnostic]) -> Diagnostics:
        self.extend(more)
        return self

    def error(self, summary: str, detail: str = "", **where: object) -> None:
        self.append(Diagnostic.error(summary, detail, **where))  # type: ignore[arg-type]

    def warning(self, summary: str, detail: str = "", **where: object) -> None:
        self.append(Diagnostic.warning(summary, detail, **where))  # type: ignore[arg-type]


class DiagnosticsError(Exception):
    """Carries error diagnostics across an API that can only raise (e.g. into the CLI)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = Diagnostics(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))
