"""Terraform's JSON configuration syntax (``*.tf.json``, CDKTF's ``cdk.tf.json``) → ``File``.

Rules (developer.hashicorp.com/terraform/language/syntax/json): the top-level object's keys
are block types; labels are nested object keys (``resource.TYPE.NAME``); a block body is an
object, or an array of objects for repeated blocks; every string is a template (``"${...}"``);
``"//"`` keys are comments (CDKTF keeps its metadata there) and are skipped. Which keys are
nested blocks rather than attributes depends on the block type: the table below. Nested
blocks of resources (``servers``, ``ip``...) stay attributes: their JSON value (a list of
objects) is already the value the provider expects.
"""

from __future__ import annotations

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.hcl.expressions import HCLSyntaxError, ast, parse_template
from albform.modules.hcl.jsonlines import JSONSyntaxError, JValue, load
from albform.modules.hcl.syntax import Attribute, Block, Body, File

TOP_LEVEL_LABELS = {"resource": 2, "data": 2, "provider": 1, "variable": 1, "output": 1,
                    "module": 1, "locals": 0, "terraform": 0, "moved": 0, "import": 0,
                    "removed": 0, "check": 1}
NESTED_LABELS: dict[str, dict[str, int]] = {
    "resource": {"lifecycle": 0, "dynamic": 1, "provisioner": 1, "connection": 0},
    "data": {"lifecycle": 0, "dynamic": 1},
    "variable": {"validation": 0},
    "terraform": {"backend": 1, "cloud": 0},
    "dynamic": {"content": 0},
    "content": {"dynamic": 1},
    "lifecycle": {"precondition": 0, "postcondition": 0},
    "output": {"precondition": 0},
    "provider": {"dynamic": 1},
    "check": {"assert": 0},
}


def parse_json(text: str, filename: str) -> tuple[File | None, Diagnostics]:
    diags = Diagnostics()
    try:
        root = load(text)
    except JSONSyntaxError as err:
        diags.error("Invalid JSON configuration", err.message,
                    subject=SourceRange(filename, err.line))
        return None, diags
    if root.kind != "object":
        diags.error("Invalid JSON configuration", "The root of a .tf.json file must be an "
                    "object whose keys are block types.", subject=SourceRange(filename, 1))
        return None, diags
    reader = _Reader(filename, diags)
    blocks: list[Block] = []
    for key, line, value in root.value:
        if key == "//":
            continue
        labels = TOP_LEVEL_LABELS.get(key)
        if labels is None:
            diags.error("Unsupported block type", f"Blocks of type {key!r} are not expected "
                        "here.", subject=SourceRange(filename, line))
            continue
        blocks.extend(reader.blocks(key, labels, value, (), line))
    return File(filename, Body((), tuple(blocks)), is_json=True), diags


class _Reader:
    def __init__(self, filename: str, diags: Diagnostics) -> None:
        self.filename = filename
        self.diags = diags

    def _where(self, line: int) -> SourceRange:
        return SourceRange(self.filename, line)

    def blocks(self, type_name: str, labels: int, value: JValue, prefix: tuple[str, ...],
               line: int) -> list[Block]:
        if labels > 0:
            if value.kind != "object":
                self.diags.error("Invalid block", f"A {type_name!r} block needs "
                                 f"{labels} more label(s): expected an object keyed by label.",
                                 subject=self._where(value.line))
                return []
            out: list[Block] = []
            for key, key_line, inner in value.value:
                if key == "//":
                    continue
                out.extend(self.blocks(type_name, labels - 1, inner, (*prefix, key), key_line))
            return out
        bodies = value.value if value.kind == "array" else [value]
        out = []
        for body in bodies:
            if body.kind != "object":
                self.diags.error("Invalid block", f"The body of a {type_name!r} block must be "
                                 "a JSON object.", subject=self._where(body.line))
                continue
            out.append(Block(type_name, prefix, self.body(type_name, body), line))
        return out

    def body(self, type_name: str, value: JValue) -> Body:
        nested = NESTED_LABELS.get(type_name, {})
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        for key, line, inner in value.value:
            if key == "//":
                continue
            if key in nested:
                blocks.extend(self.blocks(key, nested[key], inner, (), line))
                continue
            expr = self.expression(inner)
            text = inner.value if inner.kind == "scalar" and isinstance(inner.value, str) else ""
            attributes.append(Attribute(key, expr, line, text))
        return Body(tuple(attributes), tuple(blocks))

    def expression(self, value: JValue) -> ast.Node:
        if value.kind == "object":
            return ast.ObjectCons(value.line, tuple(
                (ast.Literal(line, key), self.expression(inner))
                for key, line, inner in value.value))
        if value.kind == "array":
            return ast.TupleCons(value.line, tuple(self.expression(v) for v in value.value))
        if isinstance(value.value, str):
            if "${" not in value.value and "%{" not in value.value:
                return ast.Literal(value.line, value.value)
            try:
                return parse_template(value.value, value.line)
            except HCLSyntaxError as err:
                self.diags.error("Invalid expression", err.message,
                                 subject=self._where(value.line))
                return ast.Literal(value.line, None)
        if isinstance(value.value, float) and value.value.is_integer():
            return ast.Literal(value.line, int(value.value))
        return ast.Literal(value.line, value.value)


def parse_json_values(text: str, filename: str,
                      ) -> tuple[list[tuple[str, ast.Node, int]], Diagnostics]:
    """A ``.tfvars.json`` file: a root object of ``name: value`` (values are templates)."""
    diags = Diagnostics()
    try:
        root = load(text)
    except JSONSyntaxError as err:
        diags.error("Invalid JSON variables file", err.message,
                    subject=SourceRange(filename, err.line))
        return [], diags
    if root.kind != "object":
        diags.error("Invalid JSON variables file", "The root must be an object of variable "
                    "values.", subject=SourceRange(filename, 1))
        return [], diags
    reader = _Reader(filename, diags)
    return [(key, reader.expression(value), line) for key, line, value in root.value
            if key != "//"], diags
