"""Read marks: which version of an object a state's attributes were read or written from.

The engine keeps an opaque mark per state instance (``ResourceState.mark``, stored in the
instance's ``private`` blob) and hands it back in ``ReadRequest.mark``; what it means is this
module's. An Avi object's ``_last_modified`` (microseconds, a string) changes on every
successful write of that object (docs/avi-api.md §1.4), and ``normalize_object`` depends on
the object's own body alone (refs canonical, back-references and runtime fields dropped) and
on the answer format (``X-Avi-Version``). So attributes normalised from a body with a given
``_last_modified``, read in a given API version by this normaliser, are still what a full read
would give while all three are unchanged: a refresh may keep them without fetching the body
(``bulk.BulkReader``), like a Terraform provider checking an ETag kept in its private data.

A mark is ``<api version>|<EPOCH>|<_last_modified>``. Bump ``EPOCH`` with any change to what
a read turns a body into (``normalize``, ``keyed_lists``, ``object_ids``, ``refs``): every
mark written before then stops matching, and the next refresh reads everything in full.
A missing or foreign mark (an older albform's state, the official provider's, an import) is
no mark: the object is read in full and gains one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from albform.provider.resources.normalize import normalize_object

EPOCH = 1
STAMP = "_last_modified"
# What a refresh asks of a collection to learn which objects changed (``name`` and ``url``
# come too: a controller always returns them).
STAMP_FIELDS = f"uuid,{STAMP}"


def stamp_of(obj: Mapping[str, Any] | None) -> str | None:
    """An API object's ``_last_modified``, or None when it has none."""
    value = obj.get(STAMP) if obj is not None else None
    return value if isinstance(value, str) and value else None


class ReadMarks:
    """Marks for one controller connection: ``api`` is the provider's ``ControllerApi``, whose
    client session knows the ``X-Avi-Version`` in use (without one, nothing is marked)."""

    def __init__(self, api: object) -> None:
        self._api = api

    def _prefix(self) -> str | None:
        version = getattr(getattr(self._api, "session", None), "api_version", None)
        return f"{version}|{EPOCH}|" if isinstance(version, str) and version else None

    def mark(self, stamp: str | None) -> str | None:
        """The mark of attributes read or written from a body with ``_last_modified`` =
        ``stamp``; None when there is no stamp."""
        return self.marker()(stamp)

    # A refresh applies these to every object: the prefix is worked out once per batch.
    def marker(self) -> Callable[[str | None], str | None]:
        """``mark`` for many stamps of one batch."""
        prefix = self._prefix()
        return lambda stamp: prefix + stamp if prefix is not None and stamp else None

    def stamp_reader(self) -> Callable[[str | None], str | None]:
        """For many marks of one batch: the ``_last_modified`` a state's mark vouches for, or
        None when the mark is missing, foreign, or from another API version or normaliser
        epoch."""
        prefix = self._prefix()
        if prefix is None:
            return lambda mark: None
        cut = len(prefix)
        return lambda mark: (mark[cut:] or None) if isinstance(mark, str) \
            and mark.startswith(prefix) else None


class Seen(NamedTuple):
    """State attributes normalised from one API answer, and that answer's ``_last_modified``
    (what a mark is made of)."""

    attributes: dict[str, Any]
    stamp: str | None


def seen(objtype: str, obj: Mapping[str, Any]) -> Seen:
    """``normalize_object`` of ``obj``, with its stamp."""
    return Seen(normalize_object(objtype, obj), stamp_of(obj))
