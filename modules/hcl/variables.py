"""Input variable values from every source, in Terraform's precedence (later wins):
declared defaults < ``TF_VAR_name`` environment variables < ``terraform.tfvars`` <
``terraform.tfvars.json`` < ``*.auto.tfvars[.json]`` (lexical order) < ``var_files`` (given
order) < ``variables`` (``-var``).

Values from ``-var`` and ``TF_VAR_`` are strings: for a primitive type they are taken
literally, otherwise parsed as an HCL expression (``'["a","b"]'``). Files may hold only
constant expressions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.hcl.expressions import (
    FUNCTIONS,
    Context,
    EvalError,
    HCLSyntaxError,
    evaluate_value,
    parse_expression,
)
from albform.modules.hcl.tfjson import parse_json_values
from albform.modules.hcl.typeexpr import TypeSpec


@dataclass(frozen=True, slots=True)
class GivenValue:
    value: Any
    source: SourceRange | None = None
    raw_string: bool = False  # from -var / TF_VAR_: interpreted per the declared type
    from_file: bool = False  # undeclared names from files only warn, as in Terraform


def values_files(config_dir: Path, var_files: Sequence[Path]) -> list[Path]:
    """The variable files read, lowest precedence first: ``terraform.tfvars[.json]``,
    ``*.auto.tfvars[.json]`` (lexical order), then ``var_files`` as given."""
    files = [config_dir / name for name in ("terraform.tfvars", "terraform.tfvars.json")
             if (config_dir / name).is_file()]
    if config_dir.is_dir():
        files.extend(sorted(p for p in config_dir.iterdir()
                            if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))))
    files.extend(var_files)
    return files


def collect_values(config_dir: Path, variables: Mapping[str, str], var_files: Sequence[Path],
                   env: Mapping[str, str], reads: list[Path] | None = None,
                   ) -> tuple[dict[str, GivenValue], Diagnostics]:
    """The given values by name, lowest precedence first overridden: ``TF_VAR_*``, the
    variable files (``values_files``), ``-var``. ``reads``: what the variable files'
    functions read (``file()``...) is recorded there, as the configuration's are."""
    diags = Diagnostics()
    values: dict[str, GivenValue] = {}
    for key, text in env.items():
        if key.startswith("TF_VAR_") and len(key) > 7:
            values[key[7:]] = GivenValue(text, None, raw_string=True, from_file=True)
    for path in values_files(config_dir, var_files):
        values.update(read_values_file(path, diags, reads))
    for name, text in variables.items():
        values[name] = GivenValue(text, None, raw_string=True)
    return values, diags


def read_values_file(path: Path, diags: Diagnostics, reads: list[Path] | None = None,
                     ) -> dict[str, GivenValue]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        diags.error("Failed to read variables file", f"Cannot read {path}: {err}.")
        return {}
    filename = str(path)
    if path.name.endswith(".json"):
        entries, more = parse_json_values(text, filename)
        diags.extend(more)
    else:
        from albform.modules.hcl.parse import parse_hcl  # python-hcl2: only when a file is read

        parsed, more = parse_hcl(text, filename)
        diags.extend(more)
        if parsed is None:
            return {}
        for block in parsed.body.blocks:
            diags.error("Unexpected block", f"Blocks are not allowed in a variables file; "
                        f"found a {block.type!r} block.", subject=SourceRange(filename,
                                                                             block.line))
        entries = [(a.name, a.expr, a.line) for a in parsed.body.attributes]
    out: dict[str, GivenValue] = {}
    ctx = Context({}, FUNCTIONS, path.parent, reads=reads)
    for name, expr, line in entries:
        where = SourceRange(filename, line)
        try:
            out[name] = GivenValue(evaluate_value(expr, ctx), where, from_file=True)
        except EvalError as err:
            diags.error("Variables not allowed" if err.summary == "Unknown variable"
                        else err.summary, err.detail + " Variable files may hold only "
                        "constant values.", subject=SourceRange(filename, err.line or line))
    return out


def interpret(given: GivenValue, spec: TypeSpec, name: str) -> Any:
    """The value of ``given`` before type conversion: strings from -var/TF_VAR_ are parsed
    as HCL unless the declared type is primitive."""
    if not given.raw_string or spec.kind in ("string", "number", "bool", "any"):
        return given.value
    try:
        node = parse_expression(str(given.value))
        return evaluate_value(node, Context({}, FUNCTIONS, Path(".")))
    except (HCLSyntaxError, EvalError) as err:
        message = err.message if isinstance(err, HCLSyntaxError) else err.detail
        raise EvalError("Invalid value for input variable", f"The value given for variable "
                        f"{name!r} is not a valid expression: {message}") from None
