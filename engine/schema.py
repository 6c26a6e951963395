"""Resource schemas as the engine sees them: what each attribute means for diff and plan.

The provider builds these (the Avi provider from its generated table); the engine only reads
them. An attribute is exactly one of required / optional / computed-only, and may also be:

* ``server_default`` — the server fills a value when the config leaves it unset: unset in
  config means "don't care", never a change;
* ``sensitive`` — masked in plans and kept out of state where the provider says so;
* ``force_new`` — changing it replaces the object;
* ``refers_to`` — a reference to an object of that API type (the provider canonicalises refs);
* ``keyed_by`` — for lists of objects matched by identity, not by position: the dotted paths
  of the fields that together identify a member (``("ip.addr", "port")`` for pool servers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from albform.engine.values import UNKNOWN

# What every view shows instead of a sensitive value (Terraform's words).
SENSITIVE_TEXT = "(sensitive value)"

ValueType = Literal["string", "integer", "number", "boolean", "object", "list", "map", "any"]


@dataclass(frozen=True, slots=True)
class AttributeSchema:
    name: str
    type: ValueType = "string"
    required: bool = False
    computed: bool = False
    server_default: bool = False
    default: object = None
    sensitive: bool = False
    force_new: bool = False
    refers_to: str | None = None
    keyed_by: tuple[str, ...] = ()
    # For type "list" the element type; for "object" (and lists of objects) the fields.
    element_type: ValueType | None = None
    fields: Mapping[str, AttributeSchema] | None = None
    enum: tuple[str, ...] = ()
    description: str = ""

    @property
    def computed_only(self) -> bool:
        """Set by the server alone: computed, and not a server default a config may set."""
        return self.computed and not self.server_default

    @property
    def optional(self) -> bool:
        return not self.required and not self.computed_only

    @property
    def is_nested(self) -> bool:
        return self.fields is not None


class StateForm(Protocol):
    """How a provider's objects are typed in Terraform state, when that differs from the
    values the engine diffs (e.g. the official Avi provider stores booleans as ``"true"``).

    The state codec calls ``to_state`` on every instance it writes and ``from_state`` on
    every instance it reads; ``from_state(to_state(a))`` equals ``a`` up to empty values
    (``None``, ``[]``), which the diff treats as unset, and up to attributes the form has no
    place for (a controller's keys the provider's schema lacks): those never outlive a run,
    so drift detection drops them too (``kept``, through ``as_stored``). Sensitive-value paths are
    concrete paths into the attributes and are mapped with ``state_path`` / ``internal_path``.
    """

    def to_state(self, attributes: Mapping[str, Any]) -> dict[str, Any]: ...

    def from_state(self, attributes: Mapping[str, Any]) -> dict[str, Any]: ...

    def kept(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """``attributes`` without the keys ``to_state`` has no place for, values as given."""

    def holds(self, attributes: Mapping[str, Any]) -> bool:
        """Whether ``kept(attributes)`` keeps every key of ``attributes`` (nothing dropped)."""

    def state_path(self, path: tuple[str | int, ...]) -> tuple[str | int, ...]: ...

    def internal_path(self, path: tuple[str | int, ...]) -> tuple[str | int, ...]: ...


def as_stored(schema: ResourceSchema | None, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """``attributes`` with only the keys a state written and read back holds (the schema's
    state form decides; all of them without one). Drift compares objects in this form, so
    a key the state cannot hold is never reported as changed since the last run."""
    form = schema.state_form if schema is not None else None
    return form.kept(attributes) if form is not None else dict(attributes)


@dataclass(frozen=True, slots=True)
class ResourceSchema:
    """The schema of one resource type (``avi_pool``) or data source (``data.avi_cloud``)."""

    type_name: str
    attributes: Mapping[str, AttributeSchema] = field(default_factory=dict)
    # The attribute that identifies an object once created ("uuid" for Avi objects).
    id_attribute: str = "id"
    description: str = ""
    # The state typing of the provider's own Terraform provider, when it has one (None: the
    # attribute values are written as they are).
    state_form: StateForm | None = None

    def attribute(self, path: tuple[str | int, ...]) -> AttributeSchema | None:
        """Schema of the attribute at ``path`` (list indexes skipped), or None if unknown."""
        fields: Mapping[str, AttributeSchema] | None = self.attributes
        found: AttributeSchema | None = None
        for step in path:
            if isinstance(step, int):
                continue
            if fields is None or step not in fields:
                return None
            found = fields[step]
            fields = found.fields
        return found

    def masked(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """``attributes`` with every sensitive value replaced by ``SENSITIVE_TEXT``."""
        return {k: mask_sensitive(v, self.attributes.get(k)) for k, v in attributes.items()}

    def is_sensitive(self, path: tuple[str | int, ...]) -> bool:
        """Whether the attribute at ``path`` or any attribute containing it is sensitive
        (a value inside a sensitive object is a secret too)."""
        fields: Mapping[str, AttributeSchema] | None = self.attributes
        for step in path:
            if isinstance(step, int):
                continue
            if fields is None or step not in fields:
                return False
            if fields[step].sensitive:
                return True
            fields = fields[step].fields
        return False

    def sensitive_paths(self) -> list[tuple[str, ...]]:
        """Paths of every sensitive attribute, for masking and ``sensitive_attributes``."""
        out: list[tuple[str, ...]] = []

        def walk(prefix: tuple[str, ...], attrs: Mapping[str, AttributeSchema]) -> None:
            for name, attr in attrs.items():
                if attr.sensitive:
                    out.append((*prefix, name))
                if attr.fields:
                    walk((*prefix, name), attr.fields)

        walk((), self.attributes)
        return out


def mask_sensitive(value: Any, attr: AttributeSchema | None) -> Any:
    """``value`` with every part the schema marks sensitive replaced by ``SENSITIVE_TEXT``, at
    any nesting level. Null and unknown values stay: they reveal nothing. The one masking rule
    of every view that prints objects (plans, PR comments, ``cluster render``)."""
    if value is None or value is UNKNOWN:
        return value
    if attr is not None and attr.sensitive:
        return SENSITIVE_TEXT
    if isinstance(value, list):
        return [mask_sensitive(v, attr) for v in value]
    if isinstance(value, dict) and attr is not None and attr.fields is not None:
        return {k: mask_sensitive(v, attr.fields.get(k)) for k, v in value.items()}
    return value
