"""The only python-hcl2 adapter: native-syntax ``.tf`` text → ``File``.

python-hcl2 8.x serialises expressions back to strings and drops line numbers, and its
``loads`` is slow, so we use only its Lark parse tree (``parses_to_tree``, which keeps
positions): blocks and attributes are read from the tree, and each attribute's expression is
cut from the source text by position and parsed by our own expression parser
(``expressions.parser``) with the right starting line. Any python-hcl2/Lark failure becomes
an "Invalid HCL syntax" diagnostic at its line.
"""

from __future__ import annotations

from typing import Any

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.hcl.expressions import HCLSyntaxError, ast, parse_expression
from albform.modules.hcl.syntax import Attribute, Block, Body, File

PARSER_VERSION = f"hcl2-{getattr(hcl2, '__version__', '?')}-albform-2"
"""Part of the parse-cache key: a new python-hcl2 or tree shape invalidates cached trees."""


def parse_hcl(text: str, filename: str) -> tuple[File | None, Diagnostics]:
    diags = Diagnostics()
    if not text.endswith("\n"):
        text += "\n"  # python-hcl2 needs a final newline after a closing brace or heredoc
    try:
        tree = hcl2.parses_to_tree(_for_python_hcl2(text))
    except LarkError as err:
        line = int(getattr(err, "line", 0) or 0) or _last_line(text)
        diags.error("Invalid HCL syntax", _lark_message(err),
                    subject=SourceRange(filename, line, start_column=getattr(err, "column", None)
                                        if isinstance(getattr(err, "column", None), int)
                                        else None))
        return None, diags
    reader = _TreeReader(text, filename, diags)
    body = _find(tree, "body")
    return File(filename, reader.body(body) if body is not None else Body()), diags


def _for_python_hcl2(text: str) -> str:
    """python-hcl2 8.1.4 rejects strip markers inside interpolations (``"${~ x ~}"``),
    which HCL allows. Blanking them in the copy it parses keeps every position (and so the
    tree's offsets into the original text) while we parse expressions from the original."""
    if "~" not in text:
        return text
    return text.replace("${~", "${ ").replace("~}", " }")


def _last_line(text: str) -> int:
    return text.count("\n") or 1


def _lark_message(err: LarkError) -> str:
    token = getattr(err, "token", None)
    if token is not None and str(token).strip():
        return f"Unexpected {str(token).strip()!r} here."
    char = getattr(err, "char", None)
    if char:
        return f"Unexpected character {char!r} here."
    return "The configuration could not be parsed here (unexpected end of input or token)."


def _find(tree: Tree[Any], data: str) -> Tree[Any] | None:
    for child in tree.children:
        if isinstance(child, Tree) and child.data == data:
            return child
    return None


class _TreeReader:
    def __init__(self, text: str, filename: str, diags: Diagnostics) -> None:
        self.text = text
        self.filename = filename
        self.diags = diags

    def body(self, tree: Tree[Any]) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        for child in tree.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "attribute":
                attr = self.attribute(child)
                if attr is not None:
                    attributes.append(attr)
            elif child.data == "block":
                block = self.block(child)
                if block is not None:
                    blocks.append(block)
        return Body(tuple(attributes), tuple(blocks))

    def _name(self, node: Tree[Any]) -> str:
        token = next(t for t in node.scan_values(lambda v: isinstance(v, Token)))
        return str(token)

    def _slice(self, node: Tree[Any]) -> tuple[str, int]:
        return self.text[node.meta.start_pos:node.meta.end_pos], node.meta.line

    def attribute(self, tree: Tree[Any]) -> Attribute | None:
        name_node = tree.children[0]
        expr_node = tree.children[-1]
        name = self._name(name_node)
        source, line = self._slice(expr_node)
        try:
            expr = parse_expression(source, line)
        except HCLSyntaxError as err:
            self.diags.error("Invalid expression", err.message,
                             subject=SourceRange(self.filename, err.line))
            return None
        return Attribute(name, expr, name_node.meta.line, source.strip())

    def block(self, tree: Tree[Any]) -> Block | None:
        names: list[str] = []
        body: Body = Body()
        for child in tree.children:
            if not isinstance(child, Tree):
                continue
            if child.data in ("identifier", "keyword", "literal_value"):
                names.append(self._name(child))
            elif child.data == "string":
                source, line = self._slice(child)
                try:
                    label = parse_expression(source, line)
                except HCLSyntaxError as err:
                    self.diags.error("Invalid block label", err.message,
                                     subject=SourceRange(self.filename, err.line))
                    return None
                if not (isinstance(label, ast.Literal) and isinstance(label.value, str)):
                    self.diags.error("Invalid block label", "Block labels must be plain "
                                     "strings; templates are not allowed here.",
                                     subject=SourceRange(self.filename, line))
                    return None
                names.append(label.value)
            elif child.data == "body":
                body = self.body(child)
        return Block(names[0], tuple(names[1:]), body, tree.meta.line)
