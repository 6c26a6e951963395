"""The ``Avi*`` constructs on top of the real cdktf runtime (the ``[cdktf]`` extra).

For an existing CDKTF app: ``from albform.modules.cdktf.interop import AviPool`` gives a
``cdktf.TerraformResource`` subclass taking the same keyword arguments as the pure-Python
class (checked the same way, ``arguments.check_arguments``), so ``cdktf synth`` writes the
same resource JSON. ``AviProvider`` is a ``cdktf.TerraformProvider``; ``AkoCluster`` and
``AmkoGslb`` are ``cdktf.TerraformHclModule`` subclasses calling the local module they write
into the stack's output (``clusters.py``), byte for byte what the pure constructs write.
``App``, ``Stack``, ``Output``, ``Variable`` and the backends are cdktf's own classes,
re-exported so one app can switch between the two styles.

Importing this module starts cdktf's Node.js child process (jsii); nothing else in albform
imports it. The resource classes are made on first access (``AviPool``, ``DataAviCloud``,
any name in ``generated.RESOURCES``/``DATA_SOURCES``); ``interop_classes.pyi`` (generated)
declares them for type checkers, with the same typed arguments as the pure classes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

# jsii prints a banner for Node 20 on every start (docs/terraform-compat.md §7).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import cdktf
from constructs import Construct

from albform.modules.cdktf import clusters
from albform.modules.cdktf import construct as pure
from albform.modules.cdktf.arguments import check_arguments
from albform.modules.cdktf.elements import ForEach, Lifecycle, ObjectAttributes
from albform.modules.cdktf.generated import DATA_SOURCES, RESOURCES
from albform.modules.cdktf.providers import PINNED_VERSION, PROVIDER_ARGUMENTS
from albform.modules.cdktf.typed import allowed_arguments
from albform.provider.schema.official_view import PROVIDER_SOURCE

if TYPE_CHECKING:
    # The classes ``__getattr__`` makes, as IDEs and mypy see them: generated stubs whose
    # keyword arguments are the pure classes' ``…Args`` TypedDicts (nested blocks included).
    from albform.modules.cdktf.interop_classes import *  # noqa: F403

App = cdktf.App
Stack = cdktf.TerraformStack
Output = cdktf.TerraformOutput
Variable = cdktf.TerraformVariable
LocalBackend = cdktf.LocalBackend
HttpBackend = cdktf.HttpBackend
PgBackend = cdktf.PgBackend


def _metadata(version: str | None = None) -> cdktf.TerraformProviderGeneratorMetadata:
    return cdktf.TerraformProviderGeneratorMetadata(provider_name="avi",
                                                    provider_version_constraint=version)


class AviProvider(cdktf.TerraformProvider):  # type: ignore[misc]
    """``provider "avi"`` with the official arguments (``avi_controller``, …)."""

    def __init__(self, scope: Construct, id: str, *, version: str | None = PINNED_VERSION,
                 **arguments: Any) -> None:
        checked = check_arguments("AviProvider", arguments, PROVIDER_ARGUMENTS)
        super().__init__(_real_scope(scope, "AviProvider", id), id, terraform_resource_type="avi",
                         terraform_provider_source=PROVIDER_SOURCE,
                         terraform_generator_metadata=_metadata(version))
        self._albform_arguments = checked

    # cdktf reads the alias through this property only (a subclass must override it, §7).
    @property
    def alias(self) -> str | None:
        # jsii may ask before __init__ has stored the arguments.
        alias = getattr(self, "_albform_arguments", {}).get("alias")
        return None if alias is None else str(alias)

    @alias.setter
    def alias(self, value: str | None) -> None:
        arguments = self.__dict__.setdefault("_albform_arguments", {})
        if value is None:
            arguments.pop("alias", None)
        else:
            arguments["alias"] = value

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return dict(self._albform_arguments)


def _real_scope(scope: Construct, construct: str, id: str) -> Construct:
    """``scope`` if it is not a pure-Python construct (jsii checks the rest)."""
    if isinstance(scope, pure.Construct):
        raise TypeError(pure.style_error(construct, id, scope, use="albform.modules.cdktf"))
    return scope


def _for_each(value: ForEach | cdktf.TerraformIterator | None) -> Any:
    """The pure style's ``for_each`` values as cdktf iterators, which write the same JSON
    (``elements.for_each_value``): a mapping, a list or set of strings, an expression."""
    if value is None or isinstance(value, cdktf.TerraformIterator):
        return value
    if isinstance(value, str):
        return cdktf.TerraformIterator.from_map(cdktf.Token.as_any_map(value))
    if isinstance(value, Mapping):
        return cdktf.TerraformIterator.from_map(dict(value))
    items = sorted(value) if isinstance(value, AbstractSet) else list(value)
    return cdktf.TerraformIterator.from_list(items)


def _lifecycle(value: Lifecycle | None) -> cdktf.TerraformResourceLifecycle | None:
    if value is None:
        return None
    ignore = value.ignore_changes
    return cdktf.TerraformResourceLifecycle(
        create_before_destroy=value.create_before_destroy,
        prevent_destroy=value.prevent_destroy,
        ignore_changes=None if ignore is None else (ignore if isinstance(ignore, str)
                                                    else list(ignore)))


class _Typed(ObjectAttributes):
    """Shared by the resource and data-source bases: argument checking and references."""

    TYPE: ClassVar[str] = ""
    ARGUMENTS: ClassVar[Any] = None
    REQUIRED: ClassVar[frozenset[str]] = frozenset()
    _albform_arguments: dict[str, Any]

    def _check(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        allowed, required = allowed_arguments(self)
        return check_arguments(type(self).__name__, arguments, allowed, required)

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return dict(self._albform_arguments)

    def get(self, attribute: str) -> str:
        return str(self.get_string_attribute(attribute))  # type: ignore[attr-defined]


class AviResource(_Typed, cdktf.TerraformResource):  # type: ignore[misc]
    def __init__(self, scope: Construct, id: str, /, *,
                 depends_on: Sequence[Any] | None = None, count: Any = None,
                 for_each: ForEach | cdktf.TerraformIterator | None = None,
                 lifecycle: Lifecycle | None = None,
                 provider: Any = None, **arguments: Any) -> None:
        checked = self._check(arguments)
        super().__init__(_real_scope(scope, type(self).__name__, id), id,
                         terraform_resource_type=self.TYPE,
                         terraform_generator_metadata=_metadata(), depends_on=depends_on,
                         count=count, for_each=_for_each(for_each),
                         lifecycle=_lifecycle(lifecycle),
                         provider=provider)
        self._albform_arguments = checked


class AviDataSource(_Typed, cdktf.TerraformDataSource):  # type: ignore[misc]
    def __init__(self, scope: Construct, id: str, /, *,
                 depends_on: Sequence[Any] | None = None, count: Any = None,
                 for_each: ForEach | cdktf.TerraformIterator | None = None,
                 provider: Any = None, **arguments: Any) -> None:
        checked = self._check(arguments)
        super().__init__(_real_scope(scope, type(self).__name__, id), id,
                         terraform_resource_type=self.TYPE,
                         terraform_generator_metadata=_metadata(), depends_on=depends_on,
                         count=count, for_each=_for_each(for_each), provider=provider)
        self._albform_arguments = checked


class _ClusterModule(cdktf.TerraformHclModule):  # type: ignore[misc]
    """A cluster module (``clusters.py``) on a real cdktf stack: the module's files are
    written into the stack's output directory when the construct is made (cdktf has no
    per-construct synth hook; its synth leaves other files in the stack directory alone)."""

    SPEC: ClassVar[clusters.ClusterSpec]

    def __init__(self, scope: Construct, id: str, inputs: Mapping[str, Any], *,
                 depends_on: Sequence[Any] | None) -> None:
        real = _real_scope(scope, type(self).__name__, id)
        stack = cdktf.TerraformStack.of(real)
        stack_parts = stack.node.path.split("/")
        below = [*real.node.path.split("/")[len(stack_parts):], id]
        directory = self.SPEC.directory([p for p in below if p])
        super().__init__(real, id, source=f"./{directory}", depends_on=depends_on,
                         skip_asset_creation_from_local_modules=True)
        stack_dir = Path(cdktf.App.of(real).outdir) / "stacks" / stack.node.id
        self.SPEC.write(inputs, stack_dir, directory, self.node.path)


class AkoCluster(_ClusterModule):
    """The objects AKO would create for a cluster (``clusters.AkoCluster``, same arguments)."""

    SPEC = clusters.AKO

    def __init__(self, scope: Construct, id: str, *,
                 depends_on: Sequence[Any] | None = None, **arguments: Any) -> None:
        super().__init__(scope, id, clusters.ako_inputs(**arguments), depends_on=depends_on)


class AmkoGslb(_ClusterModule):
    """The GslbServices AMKO would create (``clusters.AmkoGslb``, same arguments)."""

    SPEC = clusters.AMKO

    def __init__(self, scope: Construct, id: str, *,
                 depends_on: Sequence[Any] | None = None, **arguments: Any) -> None:
        super().__init__(scope, id, clusters.amko_inputs(**arguments), depends_on=depends_on)


_made: dict[str, type] = {}


def __getattr__(name: str) -> type:
    """``AviPool``, ``DataAviCloud``…: made on first access from the generated table."""
    if name in _made:
        return _made[name]
    pure = {cls.__name__: cls for cls in (*RESOURCES.values(), *DATA_SOURCES.values())}
    if name not in pure:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    source = pure[name]
    base = AviDataSource if name.startswith("Data") else AviResource
    made = type(name, (base,), {"TYPE": source.TYPE, "ARGUMENTS": source.ARGUMENTS,
                                "REQUIRED": source.REQUIRED,
                                "__module__": __name__, "__doc__": source.__doc__})
    _made[name] = made
    return made


__all__ = ["AkoCluster", "AmkoGslb", "App", "AviDataSource", "AviProvider", "AviResource",
           "HttpBackend", "LocalBackend", "Output", "PgBackend", "Stack", "Variable"]
