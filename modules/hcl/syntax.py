"""The syntax tree both readers produce: files of blocks and attributes, each with a line.

``parse.py`` (native ``.tf`` via python-hcl2) and ``tfjson.py`` (``.tf.json``) build these;
``decode.py`` reads only these, so the two syntaxes behave the same. Values are frozen;
``tree_codec`` stores them in the parse cache, and worker processes return them pickled.
"""

from __future__ import annotations

from dataclasses import dataclass

from albform.modules.hcl.expressions import ast
from albform.modules.hcl.expressions.ast import compact_reduce


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: ast.Node
    line: int
    text: str = ""  # the expression's source text, for plans and diagnostics

    __reduce__ = compact_reduce


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int

    __reduce__ = compact_reduce


@dataclass(frozen=True, slots=True)
class Body:
    attributes: tuple[Attribute, ...] = ()
    blocks: tuple[Block, ...] = ()

    __reduce__ = compact_reduce

    def attribute(self, name: str) -> Attribute | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None

    def blocks_of(self, type_name: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_name]


@dataclass(frozen=True, slots=True)
class File:
    filename: str
    body: Body
    is_json: bool = False

    __reduce__ = compact_reduce
