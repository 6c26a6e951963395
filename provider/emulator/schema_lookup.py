"""The emulator's one door to the generated schema table: an api type's object definition.

Types the table does not route (emulator-only or recorded-only objects) answer ``None`` and
every caller then falls back to the recorded behaviour (no gating, no coercion, no checks).
"""

from __future__ import annotations

from albform.provider.schema.table import ObjectDef, load_table


def object_def(obj_type: str) -> ObjectDef | None:
    """The table's definition for ``obj_type`` (``pool`` -> ``Pool``), or None if unrouted."""
    table = load_table()
    return table.object(obj_type).object_def if table.has_type(obj_type) else None
