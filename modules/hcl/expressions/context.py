"""What an expression can see: ``Context`` (root names, functions, bindings, and whether
references are being *probed* or *resolved*), and the lazy values the evaluator treats
specially: ``Namespace`` (``var``, ``local``...), ``Realizable``/``LazyCollection`` (module
calls, counted resources), ``LenientObject`` (a resource instance's attributes).

Their hooks are ``abstractmethod``s (mypy rejects a subclass that lacks one) on plain classes
rather than ``abc.ABC``s: the evaluator tests values against them with ``isinstance`` on every
traversal, index and template part, and ``ABCMeta.__instancecheck__`` makes a miss about three
times as slow as a plain class's.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.values import UNKNOWN, Deferred, Resolver, collect_references
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.expressions.values import EvalError, to_number, to_string


class Namespace:
    """A root name whose attributes are computed on demand (``var``, ``local``, ...)."""

    @abstractmethod
    def attr(self, name: str, line: int, ctx: Context) -> Any:
        """The attribute ``name`` (``var.name``); an ``EvalError`` at ``line`` if none."""
        raise NotImplementedError  # plain class (see the module docstring)


class Realizable:
    """A lazily looked-up value (a module call's outputs, a counted resource) that becomes
    a plain value with ``whole(ctx)`` when used as a whole rather than traversed."""

    @abstractmethod
    def whole(self, ctx: Context) -> Any:
        """The plain value this stands for when used as a whole."""
        raise NotImplementedError  # plain class (see the module docstring)


class LazyCollection(Realizable):
    """A Realizable that can also be indexed one instance at a time (so a reference to
    ``x[0]`` depends on that instance only)."""

    @abstractmethod
    def instance(self, key: Any, line: int, ctx: Context) -> Any:
        """The one instance at ``key``; an ``EvalError`` at ``line`` if there is none."""
        raise NotImplementedError  # plain class (see the module docstring)

    def instances(self, ctx: Context) -> list[Any]:
        """The elements a splat applies to (one per instance for count)."""
        return [self.whole(ctx)]


class LenientObject(dict[str, Any]):
    """A resource instance's attributes as the resolver gave them. An attribute missing from
    the mapping is asked of the resolver's mapping itself, so an engine mapping that reads
    every unset key as ``UNKNOWN`` (an object not yet created) keeps that meaning; a plain
    dict gives null, as an unset optional attribute is in Terraform. With ``known`` (the
    type's attribute names), a name the type does not have is an error, not a silent null."""

    __slots__ = ("known", "source", "what")

    def __init__(self, source: Mapping[str, Any], known: Collection[str] | None = None,
                 what: str = "") -> None:
        super().__init__(source)
        self.source = source
        self.known = known
        self.what = what

    def lookup(self, name: str, line: int = 0) -> Any:
        if name in self:
            return self[name]
        if self.known is not None and name not in self.known and name not in ALWAYS_THERE:
            raise EvalError("Unsupported attribute",
                            f"{self.what or 'This object'} has no attribute named {name!r}."
                            + did_you_mean(name, self.known), line)
        return self.source.get(name)


ALWAYS_THERE = frozenset({"id", "uuid", "url", "name", "tenant_ref"})
"""Attributes every Avi object has, whatever its schema says."""

ATTRIBUTE_NAMES = " attributes"
"""A ``roots`` entry ``callable(address) -> Collection[str] | None``: the attribute names of a
resource type, to reject references to attributes it does not have."""

MISSING_ROOT = " missing"
"""A ``roots`` entry ``callable(name, line)`` consulted for unknown root names (it raises a
helpful ``EvalError``); no identifier can spell the key."""

FunctionImpl = Callable[[list[Any], "Context", int], Any]


class Reads(list[Path]):
    """What a load's functions looked at: the files they read (a list: digested among the
    configuration's inputs, ``engine/inputs.py``) and, in ``host``, the names of the functions
    that looked at the host beyond file bytes (``files.READS_HOST``: whether a file exists, a
    folder's listing, the home folder, symbolic links), which no digest covers. Recorded as
    they are called — in the configuration, in templates, in variable files — so nothing
    that decides the result is found by reading the syntax alone."""

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        super().__init__(paths)
        self.host: set[str] = set()


class Context:
    """Everything an expression can see. Immutable once built; ``bind`` makes a child."""

    __slots__ = ("_bindings", "base_dir", "functions", "reads", "refs", "resolver", "roots")

    def __init__(self, roots: Mapping[str, Any], functions: Mapping[str, FunctionImpl],
                 base_dir: Path, *, refs: set[ResourceAddress] | None = None,
                 resolver: Resolver | None = None,
                 bindings: Mapping[str, Any] | None = None,
                 reads: list[Path] | None = None) -> None:
        self.roots = roots
        self.functions = functions
        self.base_dir = base_dir
        self.refs = refs
        self.resolver = resolver
        self._bindings: Mapping[str, Any] = bindings or {}
        # Files read by file()/templatefile()..., shared by every context derived from this
        # one: the loader records them among the configuration's inputs.
        self.reads = reads

    def looked_at_host(self, function: str) -> None:
        """Note that ``function`` looked at the host (``Reads.host``)."""
        if isinstance(self.reads, Reads):
            self.reads.host.add(function)

    def bind(self, **values: Any) -> Context:
        return Context(self.roots, self.functions, self.base_dir, refs=self.refs,
                       resolver=self.resolver, bindings={**self._bindings, **values},
                       reads=self.reads)

    def with_roots(self, **roots: Any) -> Context:
        return Context({**self.roots, **roots}, self.functions, self.base_dir, refs=self.refs,
                       resolver=self.resolver, bindings=self._bindings, reads=self.reads)

    def probing(self, refs: set[ResourceAddress]) -> Context:
        return Context(self.roots, self.functions, self.base_dir, refs=refs, resolver=None,
                       bindings=self._bindings, reads=self.reads)

    def resolving(self, resolver: Resolver) -> Context:
        return Context(self.roots, self.functions, self.base_dir, refs=None, resolver=resolver,
                       bindings=self._bindings, reads=self.reads)

    def root(self, name: str) -> Any:
        """The root value ``name`` stands for, unless a binding shadows it (then None)."""
        return None if name in self._bindings else self.roots.get(name)

    def lookup(self, name: str, line: int) -> Any:
        if name in self._bindings:
            return self._bindings[name]
        if name in self.roots:
            return self.roots[name]
        fallback = self.roots.get(MISSING_ROOT)
        if fallback is not None:
            return fallback(name, line)
        raise EvalError("Reference to undeclared resource" if name.startswith("avi_")
                        else "Unknown variable",
                        f"There is no variable or resource type named {name!r} here.", line)

    def resource(self, address: ResourceAddress) -> Any:
        """The attributes of one resource instance: UNKNOWN while probing."""
        if self.resolver is None:
            if self.refs is not None:
                self.refs.add(address)
            return UNKNOWN
        names_of = self.roots.get(ATTRIBUTE_NAMES)
        return LenientObject(self.resolver(address),
                             names_of(address) if names_of is not None else None,
                             str(address))

    def realize(self, value: Any) -> Any:
        """A stored value that may hold ``Deferred`` parts, made usable in this context."""
        if not _has_deferred(value):
            return value
        if self.resolver is not None:
            return _resolve(value, self.resolver)
        if self.refs is not None:
            collect_references(value, self.refs)
        return _blank_deferred(value)


def _has_deferred(value: Any) -> bool:
    if isinstance(value, Deferred):
        return True
    if isinstance(value, list):
        return any(_has_deferred(v) for v in value)
    if isinstance(value, dict):
        return any(_has_deferred(v) for v in value.values())
    return False


def _resolve(value: Any, resolver: Resolver) -> Any:
    if isinstance(value, Deferred):
        return value.evaluate(resolver)
    if isinstance(value, list):
        return type(value)(_resolve(v, resolver) for v in value)
    if isinstance(value, dict):
        return type(value)({k: _resolve(v, resolver) for k, v in value.items()})
    return value


def _blank_deferred(value: Any) -> Any:
    if isinstance(value, Deferred):
        return UNKNOWN
    if isinstance(value, list):
        return type(value)(_blank_deferred(v) for v in value)
    if isinstance(value, dict):
        return type(value)({k: _blank_deferred(v) for k, v in value.items()})
    return value


class ResourceCollection(LazyCollection):
    """``avi_pool.web`` for a resource with ``count``/``for_each``: indexing it refers to one
    instance only (so the dependency is that instance's address)."""

    def __init__(self, address: ResourceAddress, keys: list[int] | list[str],
                 by_count: bool) -> None:
        self.address = address
        self.keys = keys
        self.by_count = by_count

    def instance(self, key: Any, line: int, ctx: Context) -> Any:
        if key is UNKNOWN:
            return UNKNOWN
        if self.by_count:
            number = to_number(key, "index")
            if number not in self.keys:
                raise EvalError("Invalid index", f"{self.address} has {len(self.keys)} "
                                f"instances (count); index {key!r} is out of range.", line)
            return ctx.resource(self.address.instance(int(number)))
        text = to_string(key, "key")
        if text not in self.keys:
            raise EvalError("Invalid index", f"{self.address} has no instance with key "
                            f"{text!r} (for_each).", line)
        return ctx.resource(self.address.instance(text))

    def instances(self, ctx: Context) -> list[Any]:
        return self.whole(ctx) if self.by_count else [self.whole(ctx)]

    def whole(self, ctx: Context) -> Any:
        if self.by_count:
            return [ctx.resource(self.address.instance(k)) for k in self.keys]
        return {str(k): ctx.resource(self.address.instance(k)) for k in self.keys}
