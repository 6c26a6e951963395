"""Resource type names ⇄ Avi object types, and which objects albform must never delete.

Every object type of the schema table is a managed resource ``avi_<type>`` (the official
provider's names: ``avi_pool`` manages ``/api/pool``) and a data source of the same name.
Two partial resources manage one member of a shared parent's list: albform's
``avi_vrfcontext_static_route`` (``static_routes.py``) and the official provider's
``avi_server`` (one pool server, ``pool_servers.py``). Singletons (``systemconfiguration``…) are
PUT-only: "create" is a PUT and "delete" only forgets them.

System defaults (``System-*`` names, ``Default-Group``, ``Default-Cloud``, the ``admin``
tenant, anything with ``system_default: true``) are read as data and never deleted — the
official provider's rule (docs/avi-api.md §4.4), extended to the other built-ins of §5.1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from albform.provider.schema.table import SchemaTable

PREFIX = "avi_"
STATIC_ROUTE_TYPE = "avi_vrfcontext_static_route"
SERVER_TYPE = "avi_server"
PARTIAL_TYPES = {STATIC_ROUTE_TYPE: "vrfcontext", SERVER_TYPE: "pool"}

_BUILTIN_NAMES = {
    "serviceenginegroup": {"Default-Group"},
    "cloud": {"Default-Cloud"},
    "tenant": {"admin"},
    "vrfcontext": {"global", "management"},
    "useraccountprofile": {"Default-User-Account-Profile", "No-Lockout-User-Account-Profile"},
    "role": {"Tenant-Admin", "Application-Admin", "Application-Operator", "Security-Admin",
             "WAF-Admin"},
    "backupconfiguration": {"Backup-Configuration"},  # 403 "Cannot delete system default"
}


class UnknownResourceType(KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown resource type"


@dataclass(frozen=True, slots=True)
class TypeRegistry:
    """The resource types one provider instance offers: ``avi_<type>`` → api type."""

    by_tf_type: Mapping[str, str]
    singletons: frozenset[str] = frozenset()

    @classmethod
    def build(cls, api_types: Iterable[str], singletons: Iterable[str] = ()) -> TypeRegistry:
        mapping = {PREFIX + t.replace("-", "_").replace("/", "_"): t for t in api_types}
        return cls(mapping, frozenset(singletons))

    @classmethod
    def from_table(cls, table: SchemaTable) -> TypeRegistry:
        """Every type of the generated schema table."""
        return cls.build(table.types(), [t for t in table.types() if table.object(t).singleton])

    def resource_types(self) -> list[str]:
        return sorted([*self.by_tf_type, *PARTIAL_TYPES])

    def api_type(self, type_name: str) -> str:
        """``avi_pool`` (or ``data.avi_pool``) → ``pool``; raises ``UnknownResourceType``."""
        name = type_name.removeprefix("data.")
        found = PARTIAL_TYPES.get(name) or self.by_tf_type.get(name)
        if found is None:
            raise UnknownResourceType(
                f"albform's Avi provider has no resource type {type_name!r}")
        return found

    def knows(self, type_name: str) -> bool:
        try:
            self.api_type(type_name)
        except UnknownResourceType:
            return False
        return True

    def is_partial(self, type_name: str) -> bool:
        return type_name.removeprefix("data.") in PARTIAL_TYPES

    def is_singleton(self, api_type: str) -> bool:
        return api_type in self.singletons


def is_system_default(api_type: str, attributes: Mapping[str, Any]) -> bool:
    """True for built-in objects albform reads but never deletes."""
    if attributes.get("system_default") is True:
        return True
    name = attributes.get("name")
    if not isinstance(name, str):
        return False
    return name.startswith("System-") or name in _BUILTIN_NAMES.get(api_type, ())
