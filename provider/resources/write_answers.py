"""Which create answers are the object as a GET shows it, so the create needs no read-back.

A POST answers with the stored object (docs/avi-api.md §1.6), refs carrying ``#name`` (§1.4),
which ``normalize_object`` removes. It differs from a GET only where the controller hides or
adds something on reads:

* sensitive fields (keys, passwords, at any depth): a write answer leaves them out, a read
  shows ``<sensitive>`` — a type with any sensitive field is read back;
* read-time extras the Swagger does not declare (§1.4): the runtime fields of virtual
  services, ``vs_refs`` on VsVips;
* ``sslkeyandcertificate``: the certificate's parsed details (PEM, public key, text) appear
  on reads only.

Every other type's create answer is complete, and a read-back GET would only double the
requests of a large apply. Updates are always read back (``crud``): a PUT answer is built
from a merge, and the read is what the next refresh compares with.
"""

from __future__ import annotations

from albform.provider.schema.table import ObjectDef, SchemaTable

# Types whose reads carry extras (§1.4) or certificate details a write answer lacks.
READ_EXTRAS = frozenset({"virtualservice", "vsvip", "sslkeyandcertificate"})


class WriteAnswers:
    """``complete(objtype)``: the create answer of ``objtype`` equals its read (module doc)."""

    def __init__(self, table: SchemaTable) -> None:
        self._table = table
        self._known: dict[str, bool] = {}

    def complete(self, objtype: str) -> bool:
        known = self._known.get(objtype)
        if known is None:
            known = self._known[objtype] = self._complete(objtype)
        return known

    def _complete(self, objtype: str) -> bool:
        if objtype in READ_EXTRAS:
            return False
        try:
            odef = self._table.object(objtype).object_def
        except KeyError:  # not a routed type: read it back, as before
            return False
        return not _has_sensitive(odef, set())


def _has_sensitive(odef: ObjectDef, seen: set[str]) -> bool:
    if odef.name in seen:  # recursive definitions
        return False
    seen.add(odef.name)
    return any(f.sensitive or (f.nested is not None and _has_sensitive(f.nested, seen))
               for f in odef.fields.values())
