"""Resource addresses: ``avi_pool.web``, ``data.avi_cloud.default``,
``module.edge.avi_pool.web["k"]``, ``module.x[0].avi_pool.web[3]``.

Addresses are immutable values. ``ResourceAddress.parse(text)`` and ``str(address)`` round-trip
exactly for every address this module produces (property-tested). ``sort_key`` gives a total
order even when instance keys mix ints and strings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Literal

InstanceKey = int | str | None
Mode = Literal["managed", "data"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY = r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]'
_STEP_RE = re.compile(rf"({_IDENT})({_KEY})?")
_MODULE_PATH_RE = re.compile(rf"module\.{_IDENT}(?:{_KEY})?(?:\.module\.{_IDENT}(?:{_KEY})?)*")


class AddressError(ValueError):
    """Raised by ``parse`` for text that is not a resource address."""


def check_selector(text: str) -> None:
    """Raise ``AddressError`` unless ``text`` is a module path (``module.a["k"].module.b``) or
    a resource address, with or without an instance key: what ``state rm | mv`` select by."""
    if not _MODULE_PATH_RE.fullmatch(text.strip()):
        ResourceAddress.parse(text)


def _format_key(key: InstanceKey) -> str:
    if key is None:
        return ""
    if isinstance(key, bool):  # bool is an int subclass; never a valid key
        raise TypeError("instance keys are int or str")
    if isinstance(key, int):
        return f"[{key}]"
    if key.isprintable() and '"' not in key and "\\" not in key:
        # What json.dumps below would write: it escapes only quotes, backslashes and control
        # characters (none of them printable). Formatted for every address of a large state.
        return f'["{key}"]'
    return f"[{json.dumps(key, ensure_ascii=False)}]"


def _parse_key(text: str | None) -> InstanceKey:
    if not text:
        return None
    inner = text[1:-1]
    if inner.startswith('"'):
        value = json.loads(inner)
        assert isinstance(value, str)
        return value
    return int(inner)


def _key_order(key: InstanceKey) -> tuple[int, int, str]:
    if key is None:
        return (0, 0, "")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


@dataclass(frozen=True, slots=True)
class ModuleStep:
    """One ``module.NAME[KEY]`` step of a module path."""

    name: str
    key: InstanceKey = None

    def __str__(self) -> str:
        return f"module.{self.name}{_format_key(self.key)}"


@dataclass(frozen=True, slots=True)
class ResourceAddress:
    """The address of one resource instance (or, with ``key=None``, of an unindexed resource)."""

    type: str
    name: str
    key: InstanceKey = None
    module: tuple[ModuleStep, ...] = ()
    mode: Mode = "managed"
    # Addresses key every map in a plan of 50,000 resources: hash once, not on every lookup.
    _hash: int = field(default=0, init=False, repr=False, compare=False)
    # Its text, made on first use: progress lines, references and diagnostics ask for it
    # many times per instance.
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash",
                           hash((self.type, self.name, self.key, self.module, self.mode)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        # The dataclass's own __eq__ builds a tuple of five fields on each side; a plan
        # compares addresses from the state with those of the configuration at every map
        # lookup, so the cached hashes decide most comparisons here, then the fields do.
        if self is other:
            return True
        if not isinstance(other, ResourceAddress):
            return NotImplemented
        return (self._hash == other._hash and self.name == other.name
                and self.type == other.type and self.key == other.key
                and self.module == other.module and self.mode == other.mode)

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuild (and so re-hash) on unpickling: string hashes differ between processes.
        return (ResourceAddress, (self.type, self.name, self.key, self.module, self.mode))

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> ResourceAddress:
        """Parse Terraform's address syntax; raise ``AddressError`` with the reason."""
        rest = text.strip()
        module: list[ModuleStep] = []
        while rest.startswith("module."):
            m = _STEP_RE.match(rest, len("module."))
            if not m:
                raise AddressError(f"invalid module step in address {text!r}")
            module.append(ModuleStep(m.group(1), _parse_key(m.group(2))))
            rest = rest[m.end():]
            if not rest.startswith("."):
                raise AddressError(f"address {text!r} names a module, not a resource")
            rest = rest[1:]
        mode: Mode = "managed"
        if rest.startswith("data."):
            mode, rest = "data", rest[len("data."):]
        type_match = re.fullmatch(rf"({_IDENT})\.({_IDENT})({_KEY})?", rest)
        if not type_match:
            raise AddressError(
                f"invalid resource address {text!r}: expected TYPE.NAME, optionally with "
                "a module path prefix and an [index] suffix"
            )
        return cls(
            type=type_match.group(1),
            name=type_match.group(2),
            key=_parse_key(type_match.group(3)),
            module=tuple(module),
            mode=mode,
        )

    # -- derived addresses ------------------------------------------------------------------
    # Both are asked of every reference and every instance of a large configuration: the
    # address itself when nothing changes, else built directly (``replace`` costs 4x).
    def instance(self, key: InstanceKey) -> ResourceAddress:
        if key is None and self.key is None:
            return self
        return ResourceAddress(self.type, self.name, key, self.module, self.mode)

    def resource(self) -> ResourceAddress:
        """The containing resource (instance key dropped)."""
        if self.key is None:
            return self
        return ResourceAddress(self.type, self.name, None, self.module, self.mode)

    def in_module(self, *steps: ModuleStep) -> ResourceAddress:
        """This address nested under ``steps`` (outermost first)."""
        return replace(self, module=tuple(steps) + self.module)

    @property
    def is_data(self) -> bool:
        return self.mode == "data"

    @property
    def module_path(self) -> str:
        """``module.a.module.b`` or the empty string for the root module."""
        if not self.module:
            return ""  # the usual case, asked for every instance at every state write
        return ".".join(str(step) for step in self.module)

    def sort_key(self) -> tuple[object, ...]:
        return (
            tuple((s.name, _key_order(s.key)) for s in self.module),
            self.mode != "data",
            self.type,
            self.name,
            _key_order(self.key),
        )

    def __lt__(self, other: ResourceAddress) -> bool:
        return self.sort_key() < other.sort_key()

    def __str__(self) -> str:
        text = self._text
        if text is None and not self.module and self.key is None and self.mode == "managed":
            text = f"{self.type}.{self.name}"  # most addresses: the rule below, in short
            object.__setattr__(self, "_text", text)
        elif text is None:
            parts = [str(step) for step in self.module]
            if self.mode == "data":
                parts.append("data")
            parts.append(f"{self.type}.{self.name}{_format_key(self.key)}")
            text = ".".join(parts)
            object.__setattr__(self, "_text", text)
        return text

    def __repr__(self) -> str:
        return f"ResourceAddress({str(self)!r})"
