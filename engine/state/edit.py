"""Editing a state by hand (``state rm | mv | replace-provider``, ``import ADDR ID``): pure
functions from one ``State`` to the next, each bumping the serial and keeping the lineage;
and what ``state push`` writes (``pushed``), which keeps the pushed state's lineage.

Selectors are address texts as Terraform accepts them: a resource instance
(``avi_pool.p["a"]``), a whole resource (``avi_pool.p``: every instance) or a module
(``module.m``: everything in it). Deposed objects go with their address.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from albform.engine.addrs import AddressError, ResourceAddress, check_selector
from albform.engine.state.backends.base import check_write
from albform.engine.state.model import ResourceState, State


class StateEditError(ValueError):
    """The edit cannot be made; ``summary`` and the message are Terraform's wording."""

    def __init__(self, summary: str, detail: str) -> None:
        super().__init__(detail)
        self.summary = summary


def selects(selector: str, address: ResourceAddress | str) -> bool:
    """Whether ``selector`` (an instance, resource or module address) covers ``address``."""
    text = str(address)
    return text == selector or text.startswith((selector + "[", selector + "."))


def _check_syntax(*selectors: str) -> None:
    """Malformed address text is an error before any matching, as in Terraform (observed
    with terraform 1.11: exit 1 on a parse error, never "No matching objects")."""
    for selector in selectors:
        try:
            check_selector(selector)
        except AddressError as exc:
            raise StateEditError("Invalid address", str(exc)) from None


def _objects(state: State) -> list[ResourceState]:
    return [*state.resources, *state.deposed]


def _rebuilt(state: State, objects: Sequence[ResourceState]) -> State:
    current = [o for o in objects if o.deposed is None]
    deposed = [o for o in objects if o.deposed is not None]
    return state.with_resources(current).with_deposed(deposed).next_serial()


def remove(state: State, selectors: Sequence[str]) -> tuple[State, list[ResourceAddress]]:
    """The state without the selected objects, and the addresses removed (in state order).
    A malformed selector is an error ("Invalid address"), so is one that matches nothing
    (Terraform: "Invalid target address")."""
    _check_syntax(*selectors)
    for selector in selectors:
        if not any(selects(selector, o.address) for o in _objects(state)):
            raise StateEditError("Invalid target address",
                                 f"No matching objects found. To view the available "
                                 f"instances, use \"state list\". Please modify the address "
                                 f"to reference a specific instance.\n({selector})")
    kept: list[ResourceState] = []
    removed: list[ResourceState] = []
    for obj in _objects(state):
        (removed if any(selects(s, obj.address) for s in selectors) else kept).append(obj)
    addresses = list(dict.fromkeys(o.address for o in removed))
    return _rebuilt(state, kept), addresses


def move(state: State, source: str, destination: str,
         ) -> tuple[State, list[tuple[ResourceAddress, ResourceAddress]]]:
    """The state with every object ``source`` selects renamed under ``destination`` (the
    selector's text replaced by it), and the (old, new) pairs. Either text malformed is
    an "Invalid address" error."""
    _check_syntax(source, destination)
    chosen = [o for o in _objects(state) if selects(source, o.address)]
    if not chosen:
        raise StateEditError("Invalid source address",
                             f"Cannot move {source}: does not match anything in the "
                             "current state.")
    moved: dict[ResourceAddress, ResourceAddress] = {}
    for obj in chosen:
        text = destination + str(obj.address)[len(source):]
        try:
            moved[obj.address] = ResourceAddress.parse(text)
        except AddressError as exc:
            raise StateEditError("Invalid target address", str(exc)) from None
    staying = {o.address for o in _objects(state) if o.address not in moved}
    for old, new in moved.items():
        if new in staying:
            raise StateEditError("Invalid target address",
                                 f"Cannot move to {new}: there is already a resource "
                                 "instance at that address in the current state.")
        if new.type != old.type:
            raise StateEditError("Invalid state move request",
                                 f"Cannot move {old} to {new}: resource types don't match.")
    objects = [dataclasses.replace(o, address=moved.get(o.address, o.address))
               for o in _objects(state)]
    return _rebuilt(state, objects), list(moved.items())


def replace_provider(state: State, old: str, new: str,
                     ) -> tuple[State, list[ResourceAddress]]:
    """Every object whose provider is ``old`` (``provider["<source>"]`` or the source alone)
    moved to ``new``; the addresses changed."""
    def full(p: str) -> str:
        return p if p.startswith("provider[") else f'provider["{_fqn(p)}"]'

    wanted, target = full(old), full(new)
    changed = [o.address for o in _objects(state) if o.provider == wanted]
    objects = [dataclasses.replace(o, provider=target) if o.provider == wanted else o
               for o in _objects(state)]
    return (_rebuilt(state, objects) if changed else state), list(dict.fromkeys(changed))


def _fqn(source: str) -> str:
    """``vmware/avi`` → ``registry.terraform.io/vmware/avi`` (Terraform's default host)."""
    return source if source.count("/") >= 2 else f"registry.terraform.io/{source}"


def add_imported(state: State, imported: ResourceState) -> State:
    """The state with ``imported`` added; an address already managed is an error."""
    if state.get(imported.address) is not None:
        raise StateEditError("Resource already managed by albform",
                             f"albform is already managing a remote object for "
                             f"{imported.address}. To import to this address you must first "
                             "remove the existing object from the state.")
    return state.with_resources([*state.resources, imported]).next_serial()


def pushed(stored: State | None, given: State, *, force: bool, local: bool,
           ) -> State | None:
    """What ``state push`` writes over ``stored``, as Terraform does (observed with terraform
    1.11): the pushed lineage, and the pushed serial — one more when a state was stored and
    the push changes it: a ``local`` state when its content (resources, outputs) differs, a
    remote one (http, pg) when anything differs, lineage and serial included. None when
    nothing is to be written. Without ``force`` the backend's write rules apply to the state
    as given (``StaleStateError``: another lineage, a lower serial, or the same serial with
    other content); with ``force`` anything is written."""
    if not force and not check_write(stored, given):
        return None
    if stored is None:
        return given
    same = stored.same_content(given) if local else stored.same_content(given) and (
        stored.lineage, stored.serial) == (given.lineage, given.serial)
    return given if same else vouched_marks(stored, given).next_serial()


def vouched_marks(stored: State | None, given: State) -> State:
    """``given`` with a read mark kept only on an object the ``stored`` state holds with the
    same mark and the same attributes. A mark says the attributes beside it are what a read
    of that object version gave, so a refresh may keep them unread; on an object edited by
    hand (``state pull``, edit, ``state push``) it would keep the edit, where Terraform's
    refresh reads the object and drops it. Such an object is read in full next time."""

    def vouched(r: ResourceState) -> ResourceState:
        if r.mark is None:
            return r
        old = before.get((r.address, r.deposed))
        if old is not None and old.mark == r.mark and old.attributes == r.attributes:
            return r
        return dataclasses.replace(r, mark=None)

    if not given.has_marks():
        return given
    before = {(r.address, r.deposed): r for r in (*stored.resources, *stored.deposed)} \
        if stored is not None else {}
    return dataclasses.replace(given, resources=tuple(vouched(r) for r in given.resources),
                               deposed=tuple(vouched(r) for r in given.deposed))
