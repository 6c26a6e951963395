"""Encoding and hashing functions; ``uuid``/``timestamp`` are known only after apply."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from typing import Any

from albform.engine.values import UNKNOWN
from albform.modules.hcl.expressions.functions import (
    _fail,
    _str,
    json_text,
    register,
)
from albform.modules.hcl.expressions.values import (
    format_number,
    is_number,
    normalize_number,
    plain,
)

register("jsonencode", 1)(json_text)


def _from_json(value: Any) -> Any:
    if isinstance(value, float):
        return normalize_number(value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    return value


@register("jsondecode", 1)
def _jsondecode(text: Any) -> Any:
    try:
        return _from_json(json.loads(_str(text, "jsondecode")))
    except json.JSONDecodeError as err:
        raise _fail("jsondecode", f"invalid JSON: {err.msg} at character {err.pos}.") from None


@register("base64encode", 1)
def _b64encode(text: Any) -> str:
    return base64.b64encode(_str(text, "base64encode").encode()).decode()


@register("base64decode", 1)
def _b64decode(text: Any) -> str:
    try:
        return base64.b64decode(_str(text, "base64decode"), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise _fail("base64decode", "the argument is not valid base64 of UTF-8 text.") from None


@register("urlencode", 1)
def _urlencode(text: Any) -> str:
    from urllib.parse import quote_plus  # Go's url.QueryEscape: space is "+"
    return quote_plus(_str(text, "urlencode"), safe="-._~")


@register("csvdecode", 1)
def _csvdecode(text: Any) -> list[Any]:
    import csv
    import io
    rows = list(csv.reader(io.StringIO(_str(text, "csvdecode"))))
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    for row in body:
        if len(row) != len(header):
            raise _fail("csvdecode", "all rows must have as many fields as the header row.")
    return [dict(zip(header, row, strict=True)) for row in body]


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    return json.dumps(value, ensure_ascii=False)


def _yaml(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        if not value:
            return [pad + "{}"]
        for key in sorted(value):
            item = value[key]
            head = f"{pad}{json.dumps(key, ensure_ascii=False)}:"
            if isinstance(item, dict | list) and item:
                lines.append(head)
                lines.extend(_yaml(item, indent + (2 if isinstance(item, dict) else 0)))
            else:
                lines.append(f"{head} {_yaml(item, 0)[0]}")
        return lines
    if isinstance(value, list):
        if not value:
            return [pad + "[]"]
        for item in value:
            if isinstance(item, dict | list) and item:
                inner = _yaml(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {_yaml(item, 0)[0]}")
        return lines
    return [pad + _yaml_scalar(value)]


register("yamlencode", 1)(lambda v: "\n".join(_yaml(plain(v), 0)) + "\n")


@cache
def _yaml_loader() -> type[Any]:
    """YAML 1.1 as go-cty-yaml (Terraform's yamldecode) reads it: y/Y/n/N are booleans.
    Made on first use: PyYAML is a tenth of a second to import, and most loads never
    call yamldecode (a configuration memo hit loads no function at all)."""
    import yaml

    class YamlLoader(yaml.SafeLoader):
        pass

    def boolean(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
        return str(loader.construct_scalar(node)).lower() in ("y", "yes", "true", "on")

    YamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                     re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
    YamlLoader.add_constructor("tag:yaml.org,2002:bool", boolean)
    return YamlLoader


@register("yamldecode", 1)
def _yamldecode(text: Any) -> Any:
    import yaml

    try:
        return _from_json(yaml.load(_str(text, "yamldecode"), Loader=_yaml_loader()))
    except yaml.YAMLError as err:
        raise _fail("yamldecode", f"invalid YAML: {err}.") from None


# -- hashes ---------------------------------------------------------------------------------

def _hash(name: str, algorithm: str, b64: bool = False) -> None:
    def impl(text: Any) -> str:
        digest = hashlib.new(algorithm, _str(text, name).encode())
        return base64.b64encode(digest.digest()).decode() if b64 else digest.hexdigest()
    register(name, 1)(impl)


for _name, _algorithm in (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"),
                          ("sha512", "sha512")):
    _hash(_name, _algorithm)
_hash("base64sha256", "sha256", b64=True)
_hash("base64sha512", "sha512", b64=True)

# Values that differ on every run are "known after apply", as in a Terraform plan.
register("uuid", 0)(lambda: UNKNOWN)
register("timestamp", 0)(lambda: UNKNOWN)
