"""Attribute diff: what must change so that a real object matches its configuration.

``diff_attributes(schema, desired, actual)`` compares with **desired ⊆ actual** semantics
(as Ansible's ``avi_obj_cmp`` and docs/avi-api.md §6 recommend). The exact rule:

1. Only keys present in ``desired`` are compared, at every depth. A key the configuration
   does not set is never a change, whatever the server put there (computed, server-defaulted,
   runtime fields). Removing an attribute from the configuration therefore leaves the object's
   value alone; this matches the update strategy (PUT of the current object merged with the
   configured keys).
2. A desired ``None``, ``{}`` or ``[]`` (or an object holding only those) equals an absent,
   ``None``, ``{}`` or ``[]`` actual.
3. Scalars compare after coercion: ``"80"`` = ``80``, ``"true"`` = ``True``, ``1.0`` = ``1``
   (``coerce_equal``; symmetric). Python equality is the fast path, so ``True`` = ``1`` too.
4. Lists are authoritative in membership: lengths must match. A list attribute with
   ``keyed_by`` is matched by that key (order ignored); other lists position by position.
   Elements that are objects compare recursively with rule 1. When a key repeats (two
   virtual-service ``services`` on port 53, one TCP and one UDP), the members sharing it
   are matched by the rest of the element: as many desired members as possible pair with an
   actual member they fit (no change under these rules), and the others pair in order of
   position. ``pair_keyed`` is that matching; the diff, the merge and the renderers use it.
5. ``UNKNOWN`` in desired is always a change (before: the actual value or ``None``; after:
   ``UNKNOWN``): the value it will take is not known, so "no change" cannot be promised.
6. A sensitive attribute is compared by ``engine.secrets.sensitive_changed``: against the
   digest the state keeps of what was sent (the controller never returns secrets), not at all
   when the actual value is absent or ``"<sensitive>"``, and like any value when it is clear.
7. A change at or below an attribute with ``force_new`` has ``forces_replacement``.

Plain equality is tried first on every pair; the schema-less parts of a differing pair
(``any``/``map`` values, objects without declared fields) go through deepdiff (this is the
only module importing it) to get leaf paths, filtered by the same rules. ``Deferred``
values must be resolved before diffing (``TypeError`` otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.changes import AttributeChange
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.secrets import sensitive_changed
from albform.engine.values import UNKNOWN, Deferred

Path = tuple[str | int, ...]
_TRUE = "true"
_FALSE = "false"


def is_empty(value: object) -> bool:
    """``None``, ``{}``, ``[]`` and objects holding only such values mean "nothing set"."""
    if value is None:
        return True
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return isinstance(value, list) and not value


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def coerce_equal(a: object, b: object) -> bool:
    """Scalar equality across the string/number/bool forms HCL and JSON use."""
    if a is UNKNOWN or b is UNKNOWN:
        return False
    if a == b and type(a) is type(b):
        return True
    if isinstance(a, str) and not isinstance(b, str):
        a, b = b, a
    if isinstance(b, str):
        if isinstance(a, bool):
            return b.lower() == (_TRUE if a else _FALSE)
        if isinstance(a, int | float):
            number = _as_number(b)
            return number is not None and number == a
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return bool(a == b) if not isinstance(a, dict | list) else False


def values_equal(desired: object, actual: object) -> bool:
    """True when ``diff`` would report nothing for this pair (schema-less rules)."""
    return not _schemaless_changes(desired, actual, ())


def diff_attributes(schema: ResourceSchema | None, desired: Mapping[str, Any],
                    actual: Mapping[str, Any]) -> tuple[AttributeChange, ...]:
    """Attribute-level changes turning ``actual`` into something ``desired`` is a subset of.

    Paths run from the object root; changes come in the order of ``desired``'s keys.
    """
    out: list[AttributeChange] = []
    fields = schema.attributes if schema is not None else None
    _diff_object(fields, desired, actual, (), False, out)
    return tuple(out)


# -- the schema-aware walk -------------------------------------------------------------------

def _diff_object(fields: Mapping[str, AttributeSchema] | None, desired: Mapping[str, Any],
                 actual: Mapping[str, Any], path: Path, force: bool,
                 out: list[AttributeChange]) -> None:
    for key, want in desired.items():
        have = actual.get(key)
        if want == have and type(want) is type(have):
            continue
        attr = fields.get(key) if fields is not None else None
        _diff_value(attr, want, have, (*path, key), force or bool(attr and attr.force_new), out)


def _diff_value(attr: AttributeSchema | None, want: Any, have: Any, path: Path, force: bool,
                out: list[AttributeChange]) -> None:
    if isinstance(want, Deferred):
        raise TypeError(f"unresolved Deferred at {path!r}: resolve before diffing")
    if want is UNKNOWN:
        out.append(AttributeChange(path, have, UNKNOWN, force))
        return
    if is_empty(want) and is_empty(have):
        return
    if attr is not None and attr.sensitive:
        changed = sensitive_changed(want, have)  # rule 6
        if changed is not None:
            if changed:
                out.append(AttributeChange(path, have, want, force))
            return
    if attr is None or attr.fields is None:
        # No declared structure below this point: let deepdiff find the leaves.
        for sub, before, after in _schemaless_changes(want, have, path):
            out.append(AttributeChange(sub, before, after, force))
        return
    if isinstance(want, dict) and isinstance(have, dict):
        _diff_object(attr.fields, want, have, path, force, out)
    elif isinstance(want, list) and isinstance(have, list):
        if attr.keyed_by:
            _diff_keyed(attr, want, have, path, force, out)
        elif len(want) != len(have):
            out.append(AttributeChange(path, have, want, force))
        else:
            for i, (w, h) in enumerate(zip(want, have, strict=True)):
                _diff_element(attr, w, h, (*path, i), force, out)
    else:
        out.append(AttributeChange(path, have, want, force))


def _diff_element(attr: AttributeSchema, want: Any, have: Any, path: Path, force: bool,
                  out: list[AttributeChange]) -> None:
    if want == have and type(want) is type(have):
        return
    if isinstance(want, dict) and isinstance(have, dict) and attr.fields is not None:
        _diff_object(attr.fields, want, have, path, force, out)
    else:
        for sub, before, after in _schemaless_changes(want, have, path):
            out.append(AttributeChange(sub, before, after, force))


def _key_of(element: object, key: tuple[str, ...]) -> object:
    """The identity of a list member: its values at the ``keyed_by`` paths."""
    if not isinstance(element, dict):
        return None
    parts: list[str] = []
    for dotted in key:
        value: Any = element
        for step in dotted.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        if value is UNKNOWN:
            return object()  # an unknown key matches nothing: the element is new
        # Keys compare with coercion too: "80" and 80 are the same server port.
        parts.append(value.lower() if isinstance(value, str) else str(value).lower())
    return tuple(parts)


def _diff_keyed(attr: AttributeSchema, want: Sequence[Any], have: Sequence[Any], path: Path,
                force: bool, out: list[AttributeChange]) -> None:
    partners = pair_keyed(attr, want, have)
    for i, (element, j) in enumerate(zip(want, partners, strict=True)):
        if j is None:
            out.append(AttributeChange((*path, i), None, element, force))
        else:
            _diff_element(attr, element, have[j], (*path, i), force, out)
    matched = set(partners)
    for j, element in enumerate(have):
        if j not in matched:
            # Removed members are addressed by their position in the actual list.
            out.append(AttributeChange((*path, j), element, None, force))


def pair_keyed(attr: AttributeSchema, want: Sequence[Any], have: Sequence[Any],
               ) -> list[int | None]:
    """For each member of ``want``, the index of its partner in ``have`` (``None``: a new
    member) under rule 4: by ``attr.keyed_by``; where a key repeats on either side, first
    the largest set of pairs that fit (desired ⊆ actual), then the rest in order."""
    key = attr.keyed_by
    assert key, "pair_keyed needs a keyed list"
    have_groups: dict[object, list[int]] = {}
    for j, element in enumerate(have):
        have_groups.setdefault(_key_of(element, key), []).append(j)
    want_groups: dict[object, list[int]] = {}
    for i, element in enumerate(want):
        want_groups.setdefault(_key_of(element, key), []).append(i)
    partners: list[int | None] = [None] * len(want)
    for k, wants in want_groups.items():
        haves = have_groups.get(k, [])
        if len(wants) == 1 and len(haves) <= 1:  # the key alone identifies the member
            partners[wants[0]] = haves[0] if haves else None
            continue
        fitting = {i: [j for j in haves if _fits(attr, want[i], have[j])] for i in wants}
        paired = _max_pairing(wants, fitting)
        free = [j for j in haves if j not in paired.values()]
        for i in wants:
            partners[i] = paired[i] if i in paired else (free.pop(0) if free else None)
    return partners


def _fits(attr: AttributeSchema, want: Any, have: Any) -> bool:
    changes: list[AttributeChange] = []
    _diff_element(attr, want, have, (), False, changes)
    return not changes


def _max_pairing(wants: Sequence[int], fitting: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """A maximum matching of ``wants`` to the members each fits (augmenting paths, tried in
    order of position so the result is deterministic). Groups are a handful of members."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in fitting[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in wants:
        augment(i, set())
    return {i: j for j, i in owner.items()}


# -- deepdiff for schema-less values ---------------------------------------------------------

def _schemaless_changes(want: Any, have: Any, path: Path) -> list[tuple[Path, Any, Any]]:
    """(path, before, after) leaves where ``want`` is not a subset of ``have``."""
    if want == have and type(want) is type(have):
        return []
    if want is UNKNOWN:
        return [(path, have, UNKNOWN)]
    if is_empty(want) and is_empty(have):
        return []
    if not isinstance(want, dict | list) or not isinstance(have, dict | list):
        if isinstance(want, Deferred):
            raise TypeError(f"unresolved Deferred at {path!r}: resolve before diffing")
        return [] if coerce_equal(want, have) else [(path, have, want)]
    if type(want) is not type(have):
        return [(path, have, want)]
    return _deepdiff_leaves(want, have, path)


def _deepdiff_leaves(want: Any, have: Any, path: Path) -> list[tuple[Path, Any, Any]]:
    from deepdiff import DeepDiff  # a third of a second to import; most plans never need it

    tree = DeepDiff(have, want, view="tree", verbose_level=2)
    whole_lists: list[Path] = []
    leaves: list[tuple[Path, Any, Any]] = []
    for report, items in tree.items():
        for item in items:
            rel = tuple(item.path(output_format="list"))
            if report in ("iterable_item_added", "iterable_item_removed"):
                # A length change: the list as a whole is the change (rule 4).
                whole_lists.append(rel[:-1])
            elif report == "dictionary_item_removed":
                continue  # only in actual: not configured, not compared (rule 1)
            elif report == "dictionary_item_added":
                if not is_empty(item.t2):
                    leaves.append((rel, None, item.t2))
            elif report in ("values_changed", "type_changes"):
                leaves.extend((rel + sub, b, a)
                              for sub, b, a in _leaf_pair(item.t2, item.t1))
            else:  # e.g. repetition_change; never produced for JSON data, kept honest
                leaves.append((rel, item.t1, item.t2))
    out: list[tuple[Path, Any, Any]] = []
    lists = sorted(set(whole_lists), key=len)
    for lp in lists:
        if any(lp[: len(p)] == p for p in lists if p != lp):
            continue
        out.append(((*path, *lp), _at(have, lp), _at(want, lp)))
    for rel, before, after in leaves:
        if any(rel[: len(lp)] == lp for lp in lists):
            continue
        out.append(((*path, *rel), before, after))
    out.sort(key=lambda c: [str(p) for p in c[0]])
    return out


def _leaf_pair(want: Any, have: Any) -> list[tuple[Path, Any, Any]]:
    # type_changes between e.g. {} and None, "80" and 80, dict and list.
    if want is UNKNOWN:
        return [((), have, UNKNOWN)]
    if is_empty(want) and is_empty(have):
        return []
    if isinstance(want, dict) and isinstance(have, dict):
        # deepdiff reports some container pairs whole (e.g. against an empty dict); walk
        # them here rather than asking deepdiff again about the same pair.
        return [((k, *p), b, a) for k, w in want.items()
                for p, b, a in _leaf_pair(w, have.get(k))]
    if isinstance(want, list) and isinstance(have, list):
        if len(want) != len(have):
            return [((), have, want)]
        return [((i, *p), b, a) for i, (w, h) in enumerate(zip(want, have, strict=True))
                for p, b, a in _leaf_pair(w, h)]
    if isinstance(want, dict | list) or isinstance(have, dict | list):
        return [((), have, want)]
    return [] if coerce_equal(want, have) else [((), have, want)]


def _at(value: Any, path: Path) -> Any:
    for step in path:
        value = value[step]
    return value


# -- planned values ---------------------------------------------------------------------------

def merge_desired(schema: ResourceSchema | None, actual: Mapping[str, Any],
                  desired: Mapping[str, Any]) -> dict[str, Any]:
    """The object as it will be after an in-place update: ``actual`` with every configured
    value of ``desired`` laid over it (the PUT the provider sends). Values equal under the
    diff rules keep their ``actual`` form, so ``diff(desired, merge) == ()``."""
    fields = schema.attributes if schema is not None else None
    return _merge_object(fields, actual, desired)


def _merge_object(fields: Mapping[str, AttributeSchema] | None, actual: Mapping[str, Any],
                  desired: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(actual)
    for key, want in desired.items():
        attr = fields.get(key) if fields is not None else None
        out[key] = _merge_value(attr, actual.get(key), want)
    return out


def _merge_value(attr: AttributeSchema | None, have: Any, want: Any) -> Any:
    if want is UNKNOWN:
        return UNKNOWN
    if is_empty(want) and is_empty(have):
        return have if have is not None else want
    sub = attr.fields if attr is not None else None
    if isinstance(want, dict) and isinstance(have, dict):
        return _merge_object(sub, have, want)
    if isinstance(want, list) and isinstance(have, list):
        element = _element(attr)
        if attr is not None and attr.keyed_by:
            partners = pair_keyed(attr, want, have)
            return [_merge_value(element, None if j is None else have[j], w)
                    for w, j in zip(want, partners, strict=True)]
        if len(want) == len(have):
            return [_merge_value(element, h, w) for w, h in zip(want, have, strict=True)]
        return want
    if not isinstance(want, dict | list) and coerce_equal(want, have):
        return have
    return want


def _element(attr: AttributeSchema | None) -> AttributeSchema | None:
    """The schema of a list's elements: the list's own fields, without list-level flags."""
    if attr is None or attr.fields is None:
        return None
    return AttributeSchema(attr.name, type="object", fields=attr.fields)


def overlay_unconfigured(planned: Mapping[str, Any], desired: Mapping[str, Any],
                         changes: Sequence[AttributeChange]) -> dict[str, Any]:
    """``planned`` with the plan's changes to top-level attributes the configuration does
    not set laid over it: how a plan unsets a ref to an object it deletes (``None`` or a
    shorter list), which ``merge_desired`` alone would keep. Apply calls it after the merge."""
    out = dict(planned)
    for c in changes:
        if len(c.path) == 1 and isinstance(c.path[0], str) and c.path[0] not in desired:
            out[c.path[0]] = c.after
    return out


def unknown_paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path inside ``value`` holding ``UNKNOWN``."""
    if value is UNKNOWN:
        return [prefix]
    out: list[Path] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(unknown_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(unknown_paths(v, (*prefix, i)))
    return out
