"""Filesystem functions: ``file``, ``fileexists``, ``filebase64``, ``fileset``,
``templatefile``, and the path helpers. Relative paths resolve against the configuration's
root directory (Terraform resolves them against the working directory, which is where a
configuration is normally run from)."""

from __future__ import annotations

import base64
import glob
import os
from pathlib import Path
from typing import Any

from albform.modules.hcl.expressions.context import Context
from albform.modules.hcl.expressions.evaluate import evaluate
from albform.modules.hcl.expressions.functions import (
    FUNCTIONS,
    _fail,
    _map,
    _str,
    register,
    register_ctx,
)
from albform.modules.hcl.expressions.lexer import HCLSyntaxError
from albform.modules.hcl.expressions.parser import parse_template
from albform.modules.hcl.expressions.values import EvalError, contains_unknown


def _path(ctx: Context, value: Any, name: str) -> Path:
    path = Path(os.path.expanduser(_str(value, name)))
    return path if path.is_absolute() else ctx.base_dir / path


def _read(ctx: Context, value: Any, name: str) -> bytes:
    path = _path(ctx, value, name)
    if ctx.reads is not None:
        ctx.reads.append(path)
    try:
        return path.read_bytes()
    except OSError as err:
        raise EvalError("Invalid function argument", f"{name}(): cannot read {value!r}: "
                        f"{err.strerror or err}.") from None


def _file(args: list[Any], ctx: Context, line: int) -> Any:
    if len(args) != 1:
        raise EvalError("Invalid function arguments", "file() takes 1 argument.", line)
    if contains_unknown(args[0]):
        from albform.engine.values import UNKNOWN
        return UNKNOWN
    data = _read(ctx, args[0], "file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EvalError("Invalid function argument", f"file(): {args[0]!r} is not UTF-8 "
                        "text; use filebase64 for binary files.", line) from None


def _filebase64(args: list[Any], ctx: Context, line: int) -> Any:
    if len(args) != 1:
        raise EvalError("Invalid function arguments", "filebase64() takes 1 argument.", line)
    return base64.b64encode(_read(ctx, args[0], "filebase64")).decode()


def _fileexists(args: list[Any], ctx: Context, line: int) -> Any:
    if len(args) != 1:
        raise EvalError("Invalid function arguments", "fileexists() takes 1 argument.", line)
    ctx.looked_at_host("fileexists")
    return _path(ctx, args[0], "fileexists").is_file()


def _fileset(args: list[Any], ctx: Context, line: int) -> Any:
    if len(args) != 2:
        raise EvalError("Invalid function arguments", "fileset() takes 2 arguments.", line)
    from albform.modules.hcl.expressions.values import SetValue
    ctx.looked_at_host("fileset")
    root = _path(ctx, args[0], "fileset")
    pattern = _str(args[1], "fileset")
    found = [str(Path(p).relative_to(root)) for p in glob.glob(str(root / pattern),
                                                              recursive=True)
             if Path(p).is_file()]
    return SetValue.of(found)


def _templatefile(args: list[Any], ctx: Context, line: int) -> Any:
    if len(args) != 2:
        raise EvalError("Invalid function arguments", "templatefile() takes 2 arguments.", line)
    data = _read(ctx, args[0], "templatefile")
    variables = _map(args[1], "templatefile")
    try:
        node = parse_template(data.decode("utf-8"))
    except HCLSyntaxError as err:
        raise EvalError("Invalid template", f"templatefile(): {args[0]}:{err.line}: "
                        f"{err.message}", line) from None
    functions = {k: v for k, v in FUNCTIONS.items() if k != "templatefile"}
    inner = Context(dict(variables), functions, ctx.base_dir, reads=ctx.reads)
    try:
        return evaluate(node, inner)
    except EvalError as err:
        raise EvalError(err.summary, f"templatefile(): {args[0]}:{err.line}: {err.detail}",
                        line) from None


register_ctx("file", _file)
register_ctx("filebase64", _filebase64)
register_ctx("fileexists", _fileexists)
register_ctx("fileset", _fileset)
register_ctx("templatefile", _templatefile)
register("basename", 1)(lambda p: os.path.basename(_str(p, "basename")))
register("dirname", 1)(lambda p: os.path.dirname(_str(p, "dirname")) or ".")

register("pathexpand", 1)(lambda p: os.path.expanduser(_str(p, "pathexpand")))
_expand_home = FUNCTIONS["pathexpand"]


def _pathexpand(args: list[Any], ctx: Context, line: int) -> Any:
    ctx.looked_at_host("pathexpand")  # the home folder
    return _expand_home(args, ctx, line)


register_ctx("pathexpand", _pathexpand)


def _abspath(args: list[Any], ctx: Context, line: int) -> Any:
    if len(args) != 1:
        raise EvalError("Invalid function arguments", "abspath() takes 1 argument.", line)
    ctx.looked_at_host("abspath")
    return str(_path(ctx, args[0], "abspath").resolve())


register_ctx("abspath", _abspath)

READS_HOST = frozenset({"fileexists", "fileset", "pathexpand", "abspath"})
"""The functions whose result depends on the host beyond the bytes of the files they read
(``ctx.reads``, digested among the configuration's inputs): whether a file exists, a folder's
listing, the home folder, symbolic links. Each notes its call (``Context.looked_at_host``,
``context.Reads.host``); a load that called one is never memoised
(``modules/hcl/config_memo.py``). A new function that looks at the host must do the same and
be listed here (a test calls each listed one)."""
del _fail
