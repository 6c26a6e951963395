"""Checks and fix-ups ``build_plan`` runs on the planned changes before returning.

* ``check_prevent_destroy`` — an error (Terraform's wording) for every change destroying a
  resource whose configuration has ``lifecycle.prevent_destroy``;
* ``check_blast_radius`` — refuse a plan deleting (or replacing) more than
  ``options.max_delete_fraction`` of the managed objects unless ``options.force``;
* ``unset_dangling_refs`` — kept objects whose *unconfigured* ref attributes point at an
  object the plan deletes (a removed object, the old object of a replacement, a leftover
  deposed object) get an update unsetting them, or the delete would fail;
* ``check_replace_referenced`` — refuse a destroy-then-create replacement of an object that
  objects kept by the plan still refer to (and would refer to once it is re-created).

Each returns diagnostics (or new changes); none performs I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, AttributeChange, PlanOptions, ResourceChange
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import Provider, object_id
from albform.engine.state.model import State

_DESTROYING = (Action.DELETE, Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)


def check_prevent_destroy(changes: Sequence[ResourceChange], config: Configuration,
                          ) -> Diagnostics:
    diags = Diagnostics()
    configs = config.by_address()
    for change in changes:
        if change.action not in _DESTROYING:
            continue
        rc = configs.get(change.address)
        if rc is None or not rc.lifecycle.prevent_destroy:
            continue
        diags.error(
            "Instance cannot be destroyed",
            f"Resource {change.address} has lifecycle.prevent_destroy set, but the plan calls "
            "for this resource to be destroyed. To avoid this error and continue with the "
            "plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan "
            "using the -target option.", subject=rc.source, address=change.address)
    return diags


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """What a plan destroys (deletes and replaces) against what the state manages."""

    doomed: tuple[ResourceAddress, ...]
    managed: int
    fraction: float

    @property
    def exceeded(self) -> bool:
        """More than "a couple" (2) deletions and beyond the allowed share."""
        return len(self.doomed) > 2 and self.managed > 0 and \
            len(self.doomed) > self.fraction * self.managed

    def describe(self) -> str:
        return (f"{len(self.doomed)} of the {self.managed} managed objects "
                f"({len(self.doomed) / self.managed:.0%}), more than the allowed "
                f"{self.fraction:.0%}")


def blast_radius(changes: Sequence[ResourceChange], prior_state: State,
                 options: PlanOptions) -> BlastRadius | None:
    """The guard's measure of a plan, whether or not ``options.force`` overrides it; None
    where the guard does not apply (no threshold; ``destroy`` plans, explicit requests)."""
    fraction = options.max_delete_fraction
    if fraction is None or options.destroy:
        return None
    managed = sum(1 for r in prior_state.resources if not r.address.is_data)
    doomed = tuple(c.address for c in changes
                   if c.action is Action.DELETE or c.action.is_replace)
    return BlastRadius(doomed, managed, fraction)


def check_blast_radius(changes: Sequence[ResourceChange], prior_state: State,
                       options: PlanOptions) -> Diagnostics:
    """An empty or broken input (AKO's kube-api hiccup) must not wipe a controller: a plan
    whose blast radius is exceeded is an error unless ``options.force``."""
    diags = Diagnostics()
    radius = blast_radius(changes, prior_state, options)
    if options.force or radius is None or not radius.exceeded:
        return diags
    doomed = radius.doomed
    shown = ", ".join(map(str, doomed[:5])) + (
        f" and {len(doomed) - 5} more" if len(doomed) > 5 else "")
    diags.error(
        "Plan deletes too many objects",
        f"This plan would destroy or replace {radius.describe()}: {shown}. "
        "This often means the input was incomplete (an empty cluster read, a missing file). "
        "Check the plan; if it is intended, re-run with --allow-mass-delete or raise "
        "--max-delete-fraction.")
    return diags


def unset_dangling_refs(changes: Sequence[ResourceChange], config: Configuration,
                        provider: Provider, leftovers: Sequence[ResourceChange] = (),
                        ) -> list[ResourceChange]:
    """``changes`` where every kept object (NOOP/UPDATE) referring to a doomed object
    through a ref attribute the configuration does not set becomes an UPDATE unsetting it.
    The attribute change (a top-level path, a key not configured) carries the new value —
    ``None``, or the list without the doomed refs; apply lays it over its merge with
    ``diff.overlay_unconfigured`` (desired ⊆ actual alone would keep the ref).

    Doomed are the ``before`` objects of deletes *and of replacements* (either order), and
    the deposed objects of ``leftovers`` (their deletes, planned separately). A replaced
    object's old id is never swapped for the new object's: the planner does that only
    where the configuration refers to the resource (a resolved reference, ``UNKNOWN``
    until apply); an unconfigured ref is not the configuration's to re-point, so like the
    ref to a deleted object it is unset. Apply runs the unsetting update before the
    delete when the referrer's state records the dependency (``apply_graph``)."""
    doomed: set[str] = set()
    for c in (*changes, *leftovers):
        if c.action in _DESTROYING and c.before is not None:
            ident = object_id(provider, c.type, c.before)
            if ident:
                doomed.add(ident)
    ref_id = provider.ref_id  # which object a ref names is the provider's to say
    if not doomed:
        return list(changes)
    configs = config.by_address()
    out: list[ResourceChange] = []
    for c in changes:
        rc = configs.get(c.address)
        schema = provider.schema(c.type) if rc is not None else None
        if c.action not in (Action.NOOP, Action.UPDATE) or c.before is None or schema is None \
                or rc is None:
            out.append(c)
            continue
        extra: list[AttributeChange] = []
        for name, attr in schema.attributes.items():
            value = c.before.get(name)
            if not attr.refers_to or name in rc.attributes or value is None:
                continue
            if isinstance(value, list):
                kept = [v for v in value if ref_id(v) not in doomed]
                if len(kept) != len(value):
                    extra.append(AttributeChange((name,), value, kept))
            elif ref_id(value) in doomed:
                extra.append(AttributeChange((name,), value, None))
        if not extra:
            out.append(c)
            continue
        after = dict(c.after or c.before)
        after.update({str(a.path[0]): a.after for a in extra})
        out.append(replace(c, action=Action.UPDATE, after=after,
                           attribute_changes=c.attribute_changes + tuple(extra)))
    return out


def check_replace_referenced(changes: Sequence[ResourceChange], config: Configuration,
                             provider: Provider) -> Diagnostics:
    """An error for each destroy-then-create replacement of an object X that a kept object
    R still refers to when X's delete would run: R's current object refers to X's id
    (``Provider.ref_id``), and R either keeps that ref or re-points it at the new X (its
    configuration refers to X). The controller refuses to delete an object that is
    referred to, and R can only point at the new X once it exists, so no order of the
    steps works; the way out is create_before_destroy (the new X is created first, R is
    re-pointed, then the old X is deleted) or dropping the references first — or what X's
    front end advises instead (``ResourceConfig.replace_remedy``). Referrers
    deleted or replaced destroy-first themselves are no obstacle (they go before X).
    Run after ``unset_dangling_refs``: a ref it unsets is dropped before the delete."""
    diags = Diagnostics()
    replaced: dict[str, ResourceChange] = {}
    for c in changes:
        if c.action is Action.DELETE_THEN_CREATE and c.before is not None and c.deposed is None:
            ident = object_id(provider, c.type, c.before)
            if ident is not None:
                replaced[ident] = c
    if not replaced:
        return diags
    configs = config.by_address()
    referrers: dict[str, list[str]] = {}
    for r in changes:
        if r.before is None or r.deposed is not None \
                or r.action in (Action.DELETE, Action.DELETE_THEN_CREATE):
            continue
        rc = configs.get(r.address)
        depends = rc.dependencies() if rc is not None else set()
        still = _ids_in(r.after, provider) if r.after is not None else set()
        for ident in _ids_in(r.before, provider) & replaced.keys():
            x = replaced[ident]
            if ident in still or x.address in depends or x.address.resource() in depends:
                referrers.setdefault(ident, []).append(str(r.address))
    for ident, names in referrers.items():
        x = replaced[ident]
        rc = configs.get(x.address)
        diags.error(
            "Cannot replace an object that is still referred to",
            f"{x.address} is to be destroyed and then created again, but "
            f"{', '.join(sorted(names))} still refer{'s' if len(names) == 1 else ''} to it "
            "and would refer to the new object. The controller refuses to delete an object "
            "that is referred to, and the referrers can point at the new object only once it "
            "exists, so this plan cannot be applied. "
            + _replace_remedy(rc).format(address=x.address, targets=" ".join(
                f"-target='{name}'" for name in sorted(names))),
            subject=rc.source if rc is not None else None, address=x.address)
    return diags


_DEFAULT_REPLACE_REMEDY = (
    "Set lifecycle {{ create_before_destroy = true }} on {address} and give it a new name "
    "(names are unique per type, so the new object is created beside the old one, the "
    "referrers are updated to it, then the old one is deleted), or remove the references "
    "first.")


def _replace_remedy(rc: ResourceConfig | None) -> str:
    """The front end's advice for ``rc`` (``ResourceConfig.replace_remedy``) or the default."""
    return rc.replace_remedy if rc is not None and rc.replace_remedy is not None \
        else _DEFAULT_REPLACE_REMEDY


def _ids_in(value: object, provider: Provider) -> set[str]:
    """The ids of every object a string inside ``value`` refers to."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if (ident := provider.ref_id(item)) is not None:
                found.add(ident)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
