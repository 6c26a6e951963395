"""Which create answers are the object as a GET shows it, so the create needs no read-back.

A POST answers with the stored object (docs/avi-api.md §1.6), refs carrying ``#name`` (§1.4),
which ``normalize_object`` removes. It differs from a GET only where the controller hides or
adds something on reads:

* sensitive fields (keys, passwords, at any depth): a write answer leaves them out, a read
  shows ``<sensitive>`` — a create that sets one is read back (a health monitor with an
  authentication password is; one without, like most, is not: no field is hidden then);
* read-time extras the Swagger does not declare (§1.4): the runtime fields of virtual
  services, ``vs_refs`` on VsVips;
* ``sslkeyandcertificate``: the certificate's parsed details (PEM, public key, text) appear
  on reads only.

Every other type's create answer is complete, and a read-back GET would only double the
requests of a large apply. Updates are always read back (``crud``): a PUT answer is built
from a merge, and the read is what the next refresh compares with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.provider.schema.table import ObjectDef, SchemaTable

# Types whose reads carry extras (§1.4) or certificate details a write answer lacks.
READ_EXTRAS = frozenset({"virtualservice", "vsvip", "sslkeyandcertificate"})


class WriteAnswers:
    """``complete(objtype, body)``: the answer to creating ``body`` equals its read (module
    docstring)."""

    def __init__(self, table: SchemaTable) -> None:
        self._table = table
        # Per type: (answers never complete, the definition when it has sensitive fields —
        # then the body decides — else None).
        self._known: dict[str, tuple[bool, ObjectDef | None]] = {}

    def complete(self, objtype: str, body: Mapping[str, Any]) -> bool:
        if objtype not in self._known:
            self._known[objtype] = self._kind(objtype)
        never, sensitive = self._known[objtype]
        if never:
            return False
        return sensitive is None or not _sets_sensitive(sensitive, body)

    def _kind(self, objtype: str) -> tuple[bool, ObjectDef | None]:
        if objtype in READ_EXTRAS:
            return True, None
        try:
            odef = self._table.object(objtype).object_def
        except KeyError:  # not a routed type: read it back, as before
            return True, None
        return False, (odef if _has_sensitive(odef, set()) else None)


def _has_sensitive(odef: ObjectDef, seen: set[str]) -> bool:
    if odef.name in seen:  # recursive definitions
        return False
    seen.add(odef.name)
    return any(f.sensitive or (f.nested is not None and _has_sensitive(f.nested, seen))
               for f in odef.fields.values())


def _sets_sensitive(odef: ObjectDef, value: Any) -> bool:
    """Whether ``value`` (an object of ``odef``, or a list of them) holds a sensitive field,
    set or filled in by a default (an SNMP user's passphrases)."""
    if isinstance(value, list):
        return any(_sets_sensitive(odef, v) for v in value)
    if not isinstance(value, Mapping):
        return False
    if any(f.sensitive and f.has_default for f in odef.fields.values()):
        return True
    for name, item in value.items():
        field = odef.fields.get(name)
        if field is None or item is None:
            continue
        if field.sensitive or (field.nested is not None
                               and _sets_sensitive(field.nested, item)):
            return True
    return False
