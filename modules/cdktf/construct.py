"""The construct tree: every construct has a scope and an id; ``(scope, id)`` gives its path.

Ids are unique among siblings (a duplicate raises ``ValueError`` naming the path). The
logical id of a Terraform element follows CDKTF 0.21 exactly so that a stack moved between
CDKTF and these constructs keeps its addresses (and plans do not churn):

* directly under the stack: the id with characters outside ``[A-Za-z0-9_-]`` removed;
* deeper: the path below the stack joined by ``_`` (a part is skipped when the previous one
  ends with it; ``Default`` parts are dropped, ``Resource`` parts are hidden from the human
  part), then ``_`` and the first 8 hex digits of MD5 of the ``/``-joined path, upper-cased.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]")
_HIDDEN = "Default"
_HIDDEN_FROM_HUMAN = "Resource"
_MAX_ID = 255
_MAX_HUMAN = 240


class Node:
    """Where a construct sits in the tree (CDKTF's ``construct.node``)."""

    __slots__ = ("_children", "construct", "id", "scope")

    def __init__(self, construct: Construct, scope: Construct | None, id: str) -> None:
        self.construct = construct
        self.scope = scope
        self.id = id
        self._children: dict[str, Construct] = {}

    @property
    def path(self) -> str:
        """Ids from below the root to this construct, joined by ``/`` (``stack/group/pool``)."""
        return "/".join(c.node.id for c in self.scopes()[1:])

    def scopes(self) -> list[Construct]:
        """The root first, this construct last."""
        chain: list[Construct] = []
        current: Construct | None = self.construct
        while current is not None:
            chain.append(current)
            current = current.node.scope
        return chain[::-1]

    @property
    def children(self) -> list[Construct]:
        return list(self._children.values())

    def walk(self) -> Iterator[Construct]:
        """This construct and every descendant, depth first in creation order."""
        yield self.construct
        for child in self._children.values():
            yield from child.node.walk()


class Construct:
    """A node of the tree. ``Construct(None, "")`` is a root (the App)."""

    node: Node

    def __init__(self, scope: Construct | None, id: str) -> None:
        if scope is not None and not isinstance(scope, Construct):
            raise TypeError(style_error(type(self).__name__, id, scope,
                                        use="albform.modules.cdktf.interop"))
        if scope is not None:
            where = scope.node.path or "<app>"
            if not id:
                raise ValueError(f"a construct under {where!r} needs a non-empty id")
            if "/" in id:
                raise ValueError(f"construct id {id!r} may not contain '/'")
            if id in scope.node._children:
                raise ValueError(f"there is already a construct with id {id!r} in {where!r}")
            scope.node._children[id] = self
        self.node = Node(self, scope, id)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.node.path or '<root>'}>"


def style_error(construct: str, id: str, scope: object, *, use: str) -> str:
    """The message when a construct of one style (pure Python, or the real-cdktf ``interop``
    classes) is given a scope of the other: which module to import the class from instead."""
    kind = type(scope)
    return (f"{construct} {id!r}: its scope is a {kind.__module__}.{kind.__qualname__}, a "
            f"construct of the other CDKTF style; import {construct} from {use} to put it "
            "there (pure-Python constructs: albform.modules.cdktf with its App/Stack; real "
            "cdktf stacks: albform.modules.cdktf.interop)")


def make_logical_id(components: list[str]) -> str:
    """CDKTF's logical id for the path components below the stack."""
    parts = [c for c in components if c != _HIDDEN]
    if not parts:
        raise ValueError("cannot compute a logical id for an empty path")
    if len(parts) == 1:
        candidate = _DISALLOWED.sub("", parts[0])
        if len(candidate) <= _MAX_ID:
            return candidate
    digest = hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()
    human: list[str] = []
    for part in parts:
        if not human or not human[-1].endswith(part):
            human.append(part)
    text = "_".join(_DISALLOWED.sub("", p) for p in human if p != _HIDDEN_FROM_HUMAN)
    return text[:_MAX_HUMAN] + "_" + digest[:8].upper()
