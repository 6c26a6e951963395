"""Adoption: take over objects an AKO installation already created, without replacing them.

For every configured resource that is not yet in state, look the object up on the controller
by its name; when it exists *and* carries the same ``created_by`` the configuration sets (so a
foreign object of the same name is never taken over), an ``import`` is planned for it. The plan
then shows "will be imported" plus any in-place update — never a replacement. Static routes are
adopted by the provider itself, by content (prefix + next hop + labels).

An object another workspace's state already manages (same type and uuid) is never adopted
either: two states managing one object would each undo the other's changes. It is named with
that workspace in an "Object not adopted" warning, as Terraform's ``import`` would not double
manage an address; the remedy is ``state rm`` there first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from albform.engine.config import Configuration, ImportBlock, ResourceConfig
from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import Provider, ProviderError
from albform.engine.state.backends.workspaces import WorkspaceStore

# Partial resources adopted by content inside the provider; nothing to import by name.
ADOPTED_BY_PROVIDER = frozenset({"avi_vrfcontext_static_route"})


def _candidates(config: Configuration, managed: set[str]) -> Iterable[ResourceConfig]:
    planned = {str(i.to_address) for i in config.imports}
    for rc in config.resources:
        address = str(rc.address)
        if (rc.address.is_data or address in managed or address in planned
                or rc.type in ADOPTED_BY_PROVIDER or not isinstance(rc.attributes.get("name"),
                                                                    str)):
            continue
        yield rc


# (resource type, object uuid) → (workspace, address) of the other workspaces' states.
ManagedElsewhere = Mapping[tuple[str, str], tuple[str, str]]


def managed_elsewhere(store: WorkspaceStore, current: str | None) -> dict[
        tuple[str, str], tuple[str, str]]:
    """Every object the states of ``store``'s workspaces other than ``current`` manage."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for name in store.names():
        state = store.backend(name).read() if name != current else None
        for res in state.resources if state is not None else ():
            object_uuid = res.attributes.get("uuid")
            if isinstance(object_uuid, str):
                found.setdefault((res.address.type, object_uuid), (name, str(res.address)))
    return found


def with_adoptions(config: Configuration, managed_addresses: Iterable[str],
                   provider: Provider, elsewhere: ManagedElsewhere | None = None,
                   ) -> tuple[Configuration, int, Diagnostics]:
    """``config`` plus one import per adoptable existing object, and how many were found.
    ``elsewhere``: the objects other workspaces manage (``managed_elsewhere``), never adopted."""
    diags = Diagnostics()
    imports: list[ImportBlock] = []
    for rc in _candidates(config, set(managed_addresses)):
        name = str(rc.attributes["name"])
        try:
            found = provider.import_resource(rc.type, name)
        except ProviderError as exc:
            diags.warning("Object not adopted", f"Looking up {rc.type} {name!r} failed: {exc}",
                          address=rc.address)
            continue
        existing = found.attributes
        if existing is None:
            continue
        wanted_owner = rc.attributes.get("created_by")
        if wanted_owner is not None and existing.get("created_by") != wanted_owner:
            diags.warning(
                "Object not adopted",
                f"{rc.type} {name!r} exists but was created by "
                f"{existing.get('created_by')!r}, not {wanted_owner!r}; albform will not take "
                "over an object another owner manages. The plan will try to create it, which "
                "the controller will refuse (name conflict) until it is renamed or removed.",
                address=rc.address)
            continue
        owner = (elsewhere or {}).get((rc.type, str(existing.get("uuid"))))
        if owner is not None:
            diags.warning(
                "Object not adopted",
                f"{rc.type} {name!r} is already managed by workspace \"{owner[0]}\" (as "
                f"{owner[1]}); albform will not let two states manage one object. Select "
                f"that workspace to manage it, or run \"albform state rm {owner[1]}\" there "
                "first to hand it over. The plan will try to create it, which the controller "
                "will refuse (name conflict).",
                address=rc.address)
            continue
        imports.append(ImportBlock(rc.address, name))
    adopted = dataclasses.replace(config, imports=config.imports + tuple(imports))
    return adopted, len(imports), diags
