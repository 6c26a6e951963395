"""Decoding the bodies of resource-like blocks: arguments, nested blocks (as lists of
objects, the shape Terraform JSON and the provider use), ``dynamic`` blocks, ``lifecycle``.

Errors are added to ``diags`` with the file:line of the offending argument and the address of
the resource, and decoding continues with the next argument.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import Lifecycle
from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.engine.schema import AttributeSchema
from albform.engine.values import UNKNOWN, Deferred
from albform.modules.hcl.decode import Reported, evaluate_attribute, evaluate_static
from albform.modules.hcl.expressions import Context, EvalError, ast
from albform.modules.hcl.expressions.evaluate import iterate
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.expressions.values import to_bool
from albform.modules.hcl.schemas import EXTRAS_HINT, OfficialFields
from albform.modules.hcl.syntax import Block, Body
from albform.modules.hcl.traversal import as_traversal_node, ignore_changes_paths

Fields = Mapping[str, AttributeSchema]
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def _without_nulls(value: Any) -> Any:
    """Null attributes inside nested objects are unset too (lists keep their null items)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@dataclass
class BodyDecoder:
    diags: Diagnostics
    filename: str
    address: ResourceAddress | None = None
    failed: set[str] = field(default_factory=set)  # arguments whose evaluation failed

    def where(self, line: int) -> SourceRange:
        return SourceRange(self.filename, line)

    def report(self, err: EvalError, line: int) -> None:
        if isinstance(err, Reported):
            return
        self.diags.error(err.summary, err.detail, subject=self.where(err.line or line),
                         address=self.address)

    def body(self, body: Body, ctx: Context, *, skip: frozenset[str] = frozenset(),
             fields: Fields | None = None, kind: str = "", line: int | None = None,
             ) -> dict[str, Any]:
        """Arguments and nested blocks of ``body``; ``fields`` (the schema, when known)
        checks names, with "Did you mean" suggestions, and with ``line`` (where the block
        starts) that every required argument is set, at every nesting level."""
        out: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for attr in body.attributes:
            if attr.name in skip:
                continue
            if attr.name in lines:
                self.diags.error("Duplicate argument", f"The argument {attr.name!r} was "
                                 f"already set at line {lines[attr.name]}.",
                                 subject=self.where(attr.line), address=self.address)
                continue
            if not self._known(attr.name, attr.line, fields, kind, "argument"):
                continue
            if fields is not None and fields[attr.name].fields is not None \
                    and not self.filename.endswith(".json"):
                # The provider declares every nested object as a block; in native syntax
                # Terraform takes ``ip = {...}`` for an argument and refuses it (JSON syntax
                # cannot tell blocks from arguments, so it may write either).
                self.diags.error("Unsupported argument", f"An argument named {attr.name!r} "
                                 f"is not expected in {kind or 'this block'}. Did you mean "
                                 f"to define a block of type {attr.name!r}?",
                                 subject=self.where(attr.line), address=self.address)
                continue
            lines[attr.name] = attr.line
            try:
                value = evaluate_attribute(attr.expr, ctx, self.filename, attr.text)
            except EvalError as err:
                self.report(err, attr.line)
                self.failed.add(attr.name)
                continue
            if value is None:
                continue  # null means "not set", as in Terraform
            out[attr.name] = _without_nulls(value)
            if fields is not None:
                self._check_value(out[attr.name], fields[attr.name], attr.line,
                                  f"{kind}.{attr.name}")
        groups: dict[str, list[Any]] = {}
        for block in body.blocks:
            if block.type in skip:
                continue
            if block.type == "dynamic":
                self._dynamic(block, ctx, groups, fields, kind)
                continue
            if not self._known(block.type, block.line, fields, kind, "block type"):
                continue
            if block.labels:
                self.diags.error("Extraneous label for block", f"A {block.type!r} block "
                                 "takes no labels.", subject=self.where(block.line),
                                 address=self.address)
                continue
            inner = self._fields(fields, block.type)
            groups.setdefault(block.type, []).append(
                self.body(block.body, ctx, fields=inner, kind=f"{kind}.{block.type}",
                          line=block.line))
        for name, items in groups.items():
            if name in out:
                self.diags.error("Duplicate argument", f"{name!r} is set both as an argument "
                                 "and as a block.", subject=self.where(lines[name]),
                                 address=self.address)
                continue
            out[name] = items
        if fields is not None and line is not None:
            self._check_required(out, fields, line, kind)
        return out

    def _check_required(self, value: Mapping[str, Any], fields: Fields, line: int,
                        kind: str) -> None:
        """Every required argument of an object (a resource body, a nested block, an object
        written as a value) is set. Absent or null is missing, as in Terraform; an argument
        whose evaluation failed was reported already."""
        for name in required_names(fields):
            if name not in value and name not in self.failed:
                self.diags.error("Missing required argument", f"The argument {name!r} is "
                                 f"required by {kind}, but no definition was found.",
                                 subject=self.where(line), address=self.address)

    @staticmethod
    def _fields(fields: Fields | None, name: str) -> Fields | None:
        if fields is None or name not in fields:
            return None
        return fields[name].fields

    def _check_value(self, value: Any, schema: AttributeSchema, line: int, kind: str) -> None:
        """A value known now, checked against its schema: scalar types and enums, and the
        keys of objects written as arguments (JSON syntax, ``x = [{...}]``)."""
        if isinstance(value, Deferred) or value is UNKNOWN:
            return
        fields = schema.fields
        if fields is not None:
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, dict):
                    continue
                for key in list(item):
                    if self._known(key, line, fields, kind, "argument"):
                        self._check_value(item[key], fields[key], line, f"{kind}.{key}")
                    elif key in fields:
                        del item[key]
                self._check_required(item, fields, line, kind)
            return
        if schema.type == "list":
            if isinstance(value, list):
                element = schema.element_type or "any"
                for item in value:
                    self._check_scalar(item, element, schema.enum, line, kind)
            else:
                self._type_error(kind, "a list", value, line)
            return
        self._check_scalar(value, schema.type, schema.enum, line, kind)

    def _check_scalar(self, value: Any, type_name: str, enum: tuple[str, ...], line: int,
                      kind: str) -> None:
        if isinstance(value, Deferred) or value is UNKNOWN or value is None:
            return
        if type_name in ("integer", "number", "boolean", "string") and isinstance(
                value, list | dict):
            wanted = {"integer": "a whole number", "number": "a number",
                      "boolean": "true or false", "string": "a string"}[type_name]
            self._type_error(kind, wanted, value, line)
            return
        text = value if isinstance(value, str) else None
        if type_name == "integer" and not (
                (isinstance(value, int) and not isinstance(value, bool))
                or (isinstance(value, float) and value.is_integer())
                or (text is not None and re.fullmatch(r"-?[0-9]+", text.strip()))):
            self._type_error(kind, "a whole number", value, line)
        elif type_name == "number" and (isinstance(value, bool) or (
                text is not None and not _NUMBER.fullmatch(text.strip()))):
            self._type_error(kind, "a number", value, line)
        elif type_name == "boolean" and not (isinstance(value, bool) or text in ("true",
                                                                                 "false")):
            self._type_error(kind, "true or false", value, line)
        elif enum and isinstance(value, str) and value not in enum:
            self.diags.error("Invalid value", f"{value!r} is not a valid value for {kind}; "
                             f"expected one of {', '.join(enum[:8])}"
                             f"{', ...' if len(enum) > 8 else ''}."
                             + did_you_mean(value, enum), subject=self.where(line),
                             address=self.address)

    def _type_error(self, kind: str, wanted: str, value: Any, line: int) -> None:
        shown = repr(value) if not isinstance(value, list | dict) else type(value).__name__
        self.diags.error("Incorrect attribute value type", f"{kind} must be {wanted}; got "
                         f"{shown}.", subject=self.where(line), address=self.address)

    def _known(self, name: str, line: int, fields: Fields | None, kind: str,
               what: str) -> bool:
        if fields is None:
            return True
        if name in fields:
            attr = fields[name]
            if not attr.computed_only:
                return True
            # The official provider accepts these (Optional+Computed), so configs in the wild
            # set them; the controller owns them, so the value is dropped, visibly.
            self.diags.warning("Value for read-only attribute ignored", f"{name!r} in "
                               f"{kind or 'this block'} is set by the controller; the "
                               "configured value is ignored.", subject=self.where(line),
                               address=self.address)
            return False
        hint = EXTRAS_HINT.format(what="field") if isinstance(fields, OfficialFields) \
            and name in fields.extras else did_you_mean(name, fields)
        self.diags.error("Unsupported argument" if what == "argument" else
                         "Unsupported block type", f"An {what} named {name!r} is not "
                         f"expected in {kind or 'this block'}." + hint,
                         subject=self.where(line), address=self.address)
        return False

    def _dynamic(self, block: Block, ctx: Context, groups: dict[str, list[Any]],
                 fields: Fields | None, kind: str) -> None:
        if len(block.labels) != 1:
            self.diags.error("Missing name for block", "A dynamic block needs one label: the "
                             "type of the blocks it generates.", subject=self.where(block.line),
                             address=self.address)
            return
        label = block.labels[0]
        if not self._known(label, block.line, fields, kind, "block type"):
            return
        for_each = block.body.attribute("for_each")
        contents = block.body.blocks_of("content")
        if for_each is None or len(contents) != 1:
            self.diags.error("Invalid dynamic block", "A dynamic block needs a for_each "
                             "argument and exactly one content block.",
                             subject=self.where(block.line), address=self.address)
            return
        iterator = label
        iterator_attr = block.body.attribute("iterator")
        if iterator_attr is not None:
            node = as_traversal_node(iterator_attr.expr)
            if not isinstance(node, ast.Variable):
                self.diags.error("Invalid dynamic iterator name", "The iterator must be a "
                                 "single name.", subject=self.where(iterator_attr.line),
                                 address=self.address)
                return
            iterator = node.name
        for extra in block.body.attributes:
            if extra.name not in ("for_each", "iterator", "labels"):
                self.diags.error("Unsupported argument", f"An argument named {extra.name!r} "
                                 "is not expected in a dynamic block.",
                                 subject=self.where(extra.line), address=self.address)
        try:
            collection = evaluate_static(for_each.expr, ctx, "dynamic for_each")
            pairs = iterate(collection, for_each.line)
        except EvalError as err:
            self.report(err, for_each.line)
            return
        inner = self._fields(fields, label)
        if not pairs and fields is not None and label in fields \
                and fields[label].type == "object":
            # No block of a single nested object is that object unset (as with no literal
            # block), not an empty list, which no object has (and which the diff would
            # compare with what the controller put there).
            return
        items = groups.setdefault(label, [])
        for key, value in pairs:
            bound = ctx.bind(**{iterator: {"key": key, "value": value}})
            items.append(self.body(contents[0].body, bound, fields=inner,
                                   kind=f"{kind}.{label}", line=contents[0].line))

    def lifecycle(self, body: Body, ctx: Context) -> Lifecycle:
        blocks = body.blocks_of("lifecycle")
        if not blocks:
            return NO_LIFECYCLE
        if len(blocks) > 1:
            self.diags.error("Duplicate lifecycle block", "Only one lifecycle block is "
                             "allowed per resource.", subject=self.where(blocks[1].line),
                             address=self.address)
        flags = {"prevent_destroy": False, "create_before_destroy": False}
        ignore_all = False
        paths: tuple[tuple[str | int, ...], ...] = ()
        for attr in blocks[0].body.attributes:
            try:
                if attr.name in flags:
                    value = to_bool(evaluate_static(attr.expr, ctx, attr.name), attr.name)
                    flags[attr.name] = bool(value)
                elif attr.name == "ignore_changes":
                    ignore_all, paths = ignore_changes_paths(attr.expr)
                elif attr.name == "replace_triggered_by":
                    self.diags.error("Unsupported argument", "lifecycle.replace_triggered_by "
                                     "is not supported by albform; remove it (replacements "
                                     "would otherwise be silently missed).",
                                     subject=self.where(attr.line), address=self.address)
                else:
                    self.diags.error("Unsupported argument", f"An argument named "
                                     f"{attr.name!r} is not expected in a lifecycle block."
                                     + did_you_mean(attr.name, [*flags, "ignore_changes"]),
                                     subject=self.where(attr.line), address=self.address)
            except EvalError as err:
                self.report(err, attr.line)
        for inner in blocks[0].body.blocks:
            self.diags.warning("Condition not checked", f"albform does not evaluate "
                               f"{inner.type} blocks; this check is ignored.",
                               subject=self.where(inner.line), address=self.address)
        return Lifecycle(prevent_destroy=flags["prevent_destroy"],
                         create_before_destroy=flags["create_before_destroy"],
                         ignore_changes=paths, ignore_all_changes=ignore_all)


NO_LIFECYCLE = Lifecycle()  # immutable: one for every resource without a lifecycle block

_REQUIRED: dict[int, tuple[Fields, tuple[str, ...]]] = {}


def required_names(fields: Fields) -> tuple[str, ...]:
    """The required arguments of ``fields``, worked out once per schema object: every
    resource body is checked for them (70 fields of a pool, 50,000 pools). The entry holds
    ``fields`` itself, so its id cannot be reused while it is remembered."""
    kept = _REQUIRED.get(id(fields))
    if kept is None or kept[0] is not fields:
        kept = _REQUIRED[id(fields)] = (fields, tuple(n for n, a in fields.items()
                                                      if a.required))
    return kept[1]
