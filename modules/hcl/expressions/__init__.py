"""HCL expressions: tokenizer, parser, evaluator and built-in functions.

Public API: ``parse_expression``, ``parse_template``, ``evaluate``, ``Context``,
``Namespace``, ``EvalError``, ``HCLSyntaxError``, ``FUNCTIONS``.
"""

from __future__ import annotations

from albform.modules.hcl.expressions import collections_fns as _collections
from albform.modules.hcl.expressions import encoding as _encoding
from albform.modules.hcl.expressions import files as _files
from albform.modules.hcl.expressions import network as _network
from albform.modules.hcl.expressions.context import (
    Context,
    LazyCollection,
    LenientObject,
    Namespace,
    Realizable,
    ResourceCollection,
)
from albform.modules.hcl.expressions.evaluate import evaluate, evaluate_value
from albform.modules.hcl.expressions.functions import FUNCTIONS
from albform.modules.hcl.expressions.lexer import HCLSyntaxError
from albform.modules.hcl.expressions.parser import parse_expression, parse_template
from albform.modules.hcl.expressions.values import EvalError, SetValue

del _collections, _encoding, _files, _network

__all__ = [
    "FUNCTIONS",
    "Context",
    "EvalError",
    "HCLSyntaxError",
    "LazyCollection",
    "LenientObject",
    "Namespace",
    "Realizable",
    "ResourceCollection",
    "SetValue",
    "evaluate",
    "evaluate_value",
    "parse_expression",
    "parse_template",
]
