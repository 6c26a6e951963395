"""Base classes of the generated ``Avi*`` constructs (``generated.py``).

A subclass names its ``TYPE`` and its ``ARGUMENTS`` TypedDict; construction checks the
keyword arguments against it (``arguments.check_arguments``); the meta-arguments are
keyword parameters of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from albform.modules.cdktf.arguments import check_arguments
from albform.modules.cdktf.construct import Construct
from albform.modules.cdktf.elements import (
    DataSource,
    ForEach,
    Lifecycle,
    Referenceable,
    Resource,
)
from albform.modules.cdktf.providers import AviProvider

DependsOn = Sequence[Referenceable | str] | None


def allowed_arguments(cls: Any) -> tuple[frozenset[str], frozenset[str]]:
    """(every argument, the required ones) of a generated class: the keys of its ``…Args``
    TypedDict and its ``REQUIRED`` set (spelled out by the generator: with postponed
    annotations ``__required_keys__`` cannot see ``Required[...]``)."""
    return frozenset(cls.ARGUMENTS.__annotations__), frozenset(cls.REQUIRED)


class TypedResource(Resource):
    TYPE: ClassVar[str] = ""
    ARGUMENTS: ClassVar[Any] = None
    REQUIRED: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, scope: Construct, id: str, arguments: Mapping[str, Any], *,
                 depends_on: DependsOn, count: int | str | None,
                 for_each: ForEach | None,
                 lifecycle: Lifecycle | None, provider: AviProvider | str | None) -> None:
        allowed, required = allowed_arguments(self)
        attrs = check_arguments(type(self).__name__, arguments, allowed, required)
        super().__init__(scope, id, type=self.TYPE, attributes=attrs, depends_on=depends_on,
                         count=count, for_each=for_each, lifecycle=lifecycle,
                         provider=provider if provider is None or isinstance(provider, str)
                         else provider.fqn)


class TypedDataSource(TypedResource, DataSource):
    """The same, in the ``data`` block."""
