"""Terraform elements: constructs that contribute a fragment of Terraform JSON to their stack.

Each element has a logical id (CDKTF's rule, ``construct.make_logical_id``) that can be pinned
with ``override_logical_id``; ``to_terraform()`` returns its fragment keyed by top-level block
(``{"resource": {"avi_pool": {"web": {...}}}}``), which the stack deep-merges. References to
an element are tokens (``tokens.py``) resolved at synth time.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from albform.modules.cdktf.construct import Construct, make_logical_id
from albform.modules.cdktf.tokens import token


class TerraformElement(Construct, ABC):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self._logical_id_override: str | None = None

    @property
    def stack(self) -> Construct:
        from albform.modules.cdktf.stack import Stack  # the stack imports elements

        for candidate in reversed(self.node.scopes()):
            if isinstance(candidate, Stack):
                return candidate
        raise ValueError(f"{self!r} is not inside a Stack")

    @property
    def logical_id(self) -> str:
        if self._logical_id_override is not None:
            return self._logical_id_override
        scopes = self.node.scopes()
        below = scopes[scopes.index(self.stack) + 1:]
        return make_logical_id([c.node.id for c in below])

    def override_logical_id(self, logical_id: str) -> None:
        self._logical_id_override = logical_id

    def metadata(self) -> dict[str, Any]:
        return {"//": {"metadata": {"path": self.node.path, "uniqueId": self.logical_id}}}

    @abstractmethod
    def to_terraform(self) -> dict[str, Any]:
        """This element's fragment of Terraform JSON, keyed by top-level block."""


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The ``lifecycle`` meta-argument; ``ignore_changes`` may be a list or ``"all"``."""

    create_before_destroy: bool | None = None
    prevent_destroy: bool | None = None
    ignore_changes: Sequence[str] | str | None = None

    def to_terraform(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.create_before_destroy is not None:
            out["create_before_destroy"] = self.create_before_destroy
        if self.prevent_destroy is not None:
            out["prevent_destroy"] = self.prevent_destroy
        if self.ignore_changes is not None:
            out["ignore_changes"] = (self.ignore_changes if isinstance(self.ignore_changes, str)
                                     else list(self.ignore_changes))
        return out


class ObjectAttributes:
    """``id``, ``uuid`` and ``name``, which every Avi object has, as references made by the
    class's
    ``get``; shared by these elements and the cdktf interop classes (``interop._Typed``).

    A plain mixin, not an ``abc.ABC``: ``interop._Typed`` mixes it into jsii classes whose
    metaclass (``JSIIMeta``) conflicts with ``ABCMeta``. ``get`` is still marked abstract, so
    mypy rejects a subclass that lacks it, and ``Referenceable`` (an ABC through
    ``TerraformElement``) enforces it at runtime too."""

    @abstractmethod
    def get(self, attribute: str) -> str:
        """A reference to ``attribute`` of this object (a token or a cdktf string)."""
        raise NotImplementedError  # not an ABC (see above): reached only if a subclass forgot

    @property
    def id(self) -> str:
        return self.get("id")

    @property
    def uuid(self) -> str:
        return self.get("uuid")

    @property
    def name(self) -> str:
        return self.get("name")


class Referenceable(ObjectAttributes, TerraformElement):
    """An element others can point at: ``get(attr)`` → ``"${<fqn>.<attr>}"``."""

    @property
    @abstractmethod
    def fqn(self) -> str:
        """The Terraform address others use to refer to it (``avi_pool.web``, ``var.x``)."""

    def get(self, attribute: str) -> str:
        return token(lambda: f"{self.fqn}.{attribute}")


ForEach = Mapping[str, Any] | Sequence[str] | AbstractSet[str] | str


def for_each_value(value: ForEach) -> Any:
    """``for_each`` as CDKTF's iterators write it (so both styles synthesize the same JSON):
    a mapping as given, a list or set of strings as ``${toset([...])}`` (Terraform rejects a
    plain list there), an expression string (``"${var.names}"``) as given."""
    if isinstance(value, str | Mapping):
        return value
    items = sorted(value) if isinstance(value, AbstractSet) else list(value)
    return "${toset([" + ", ".join(json.dumps(item) for item in items) + "])}"


def _dependency(item: Referenceable | str) -> str:
    return item if isinstance(item, str) else item.fqn


class Resource(Referenceable):
    """Any resource type, with attributes as given (CDKTF's ``TerraformResource``); the typed
    ``Avi*`` classes check their arguments against the schema first."""

    block = "resource"

    def __init__(self, scope: Construct, id: str, *, type: str,
                 attributes: Mapping[str, Any] | None = None,
                 depends_on: Sequence[Referenceable | str] | None = None,
                 count: int | str | None = None, for_each: ForEach | None = None,
                 lifecycle: Lifecycle | None = None, provider: str | None = None) -> None:
        # Checked before joining the tree, so a rejected construct leaves no trace in it.
        if count is not None and for_each is not None:
            raise TypeError(f"{id}: count and for_each are mutually exclusive")
        super().__init__(scope, id)
        self.type = type
        self.attributes: dict[str, Any] = dict(attributes or {})
        self.depends_on = list(depends_on or [])
        self.count = count
        self.for_each = None if for_each is None else for_each_value(for_each)
        self.lifecycle = lifecycle
        self.provider = provider
        self._overrides: dict[str, Any] = {}
        self.import_id: str | None = None

    def import_from(self, import_id: str) -> None:
        """Adopt an existing object: an ``import { to = <fqn>, id = ... }`` block."""
        if self.block == "data":
            raise TypeError(f"{self.node.path}: a data source cannot be imported")
        self.import_id = import_id

    @property
    def fqn(self) -> str:
        prefix = "data." if self.block == "data" else ""
        return f"{prefix}{self.type}.{self.logical_id}"

    def add_override(self, path: str, value: Any) -> None:
        """Set ``value`` at a dotted ``path`` in the synthesized body (CDKTF's escape hatch)."""
        self._overrides[path] = value

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.attributes)
        if self.count is not None:
            out["count"] = self.count
        if self.for_each is not None:
            out["for_each"] = self.for_each
        if self.depends_on:
            out["depends_on"] = [_dependency(d) for d in self.depends_on]
        if self.lifecycle is not None:
            out["lifecycle"] = self.lifecycle.to_terraform()
        if self.provider is not None:
            out["provider"] = self.provider
        for path, value in self._overrides.items():
            target = out
            *parents, leaf = path.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        return out

    def to_terraform(self) -> dict[str, Any]:
        return {self.block: {self.type: {self.logical_id: {**self.metadata(), **self.body()}}}}


class DataSource(Resource):
    """A data source (CDKTF's ``TerraformDataSource``): ``"${data.avi_cloud.c.id}"``."""

    block = "data"


class Variable(Referenceable):
    """``variable "<id>"``; ``value`` is ``"${var.<id>}"``."""

    def __init__(self, scope: Construct, id: str, *, type: str | None = None,
                 default: Any = None, description: str | None = None,
                 sensitive: bool | None = None, nullable: bool | None = None) -> None:
        super().__init__(scope, id)
        self.settings = {"type": type, "default": default, "description": description,
                         "sensitive": sensitive, "nullable": nullable}

    @property
    def fqn(self) -> str:
        return f"var.{self.logical_id}"

    @property
    def value(self) -> str:
        return token(lambda: self.fqn)

    def to_terraform(self) -> dict[str, Any]:
        body = {k: v for k, v in self.settings.items() if v is not None}
        return {"variable": {self.logical_id: body}}


class Output(TerraformElement):
    """``output "<id>"``."""

    def __init__(self, scope: Construct, id: str, *, value: Any,
                 description: str | None = None, sensitive: bool | None = None,
                 depends_on: Sequence[Referenceable | str] | None = None) -> None:
        super().__init__(scope, id)
        self.value = value
        self.description = description
        self.sensitive = sensitive
        self.depends_on = list(depends_on or [])

    def to_terraform(self) -> dict[str, Any]:
        body: dict[str, Any] = {"value": self.value}
        if self.description is not None:
            body["description"] = self.description
        if self.sensitive is not None:
            body["sensitive"] = self.sensitive
        if self.depends_on:
            body["depends_on"] = [_dependency(d) for d in self.depends_on]
        return {"output": {self.logical_id: body}}


class Module(Referenceable):
    """A ``module`` call with a ``source`` and its inputs; ``get("out")`` →
    ``"${module.<id>.out}"``."""

    def __init__(self, scope: Construct, id: str, *, source: str,
                 inputs: Mapping[str, Any] | None = None,
                 depends_on: Sequence[Referenceable | str] | None = None) -> None:
        super().__init__(scope, id)
        self.source = source
        self.inputs = {k: v for k, v in (inputs or {}).items() if v is not None}
        self.depends_on = list(depends_on or [])

    @property
    def fqn(self) -> str:
        return f"module.{self.logical_id}"

    def to_terraform(self) -> dict[str, Any]:
        body: dict[str, Any] = {**self.metadata(), **self.inputs, "source": self.source}
        if self.depends_on:
            body["depends_on"] = [_dependency(d) for d in self.depends_on]
        return {"module": {self.logical_id: body}}
