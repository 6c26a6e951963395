#!/usr/bin/env python3
"""Generate ``provider/schema/official_schema.json.gz``: the official Avi provider's view.

The official Terraform provider (``vmware/terraform-provider-avi``) declares its schema in Go
(terraform-plugin-sdk v2): one ``map[string]*schema.Schema`` per resource, data source and
nested block. Terraform stores state in *those* types, which differ from the Avi Swagger in
places (the provider declares many booleans and numbers as ``TypeString``). This tool reads the
Go sources of one provider version and writes, as data, what albform needs to speak
Terraform the way that provider does:

``{"provider_version": ..., "provider": {arg: attr}, "resources": {type: block},
"data_sources": {type: block}, "blocks": {name: block}}`` where a block is
``{"attributes": {name: attr}}`` and an attr is ``{"type": "string|bool|int|float|list|set|map",
"required"|"optional"|"computed"|"sensitive": true, "default": value, "elem": "<block name>" |
"string|bool|int|float", "validate": "validateBool|validateInteger|..."}``. Nested blocks are
shared by name (``ResourcePoolAnalyticsPolicySchema``) exactly as in the Go source.

Only facts (names, types, flags) are extracted; no provider code is copied. Run it against a
checkout or a git directory of the provider::

    python tools/gen_official_schema.py --git-dir PATH/repo --ref 30.2.1
    python tools/gen_official_schema.py --src PATH/terraform-provider-avi

The output is committed; tests check it against the Go source when a copy is at hand.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "provider" / "schema" / "official_schema.json.gz"

_FUNC = re.compile(r"^func (\w+)\(\) (map\[string\]\*schema\.Schema|\*schema\.Resource) \{",
                   re.M)
_TYPES = {"TypeString": "string", "TypeBool": "bool", "TypeInt": "int", "TypeFloat": "float",
          "TypeList": "list", "TypeSet": "set", "TypeMap": "map"}


class GoParseError(ValueError):
    pass


def _skip_literal(text: str, i: int) -> int:
    """At a string, raw string or line comment starting at ``i``: the index of its last
    character (so the caller's ``i += 1`` steps past it); elsewhere ``i`` unchanged."""
    c = text[i]
    if c == '"':
        i += 1
        while text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        return i
    if c == "`":
        return text.index("`", i + 1)
    if text.startswith("//", i):
        return text.index("\n", i)
    return i


def _match(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """Index just past the bracket closing the one at ``start`` (strings/comments skipped)."""
    depth = 0
    i = start
    while i < len(text):
        i = _skip_literal(text, i)
        c = text[i]
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise GoParseError(f"unbalanced {open_} at offset {start}")


def _split_top(body: str) -> Iterator[str]:
    """Split a composite literal's body at its top-level commas."""
    depth = 0
    start = 0
    i = 0
    while i < len(body):
        i = _skip_literal(body, i)
        c = body[i]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c == "," and depth == 0:
            piece = body[start:i].strip()
            if piece:
                yield piece
            start = i + 1
        i += 1
    tail = body[start:].strip()
    if tail:
        yield tail


def _schema_map(text: str) -> str:
    """The body of the first ``map[string]*schema.Schema{...}`` literal in ``text``."""
    at = text.find("map[string]*schema.Schema{")
    if at < 0:
        raise GoParseError("no schema map")
    open_at = text.index("{", at)
    return text[open_at + 1:_match(text, open_at) - 1]


def _literal(value: str) -> Any:
    value = value.strip()
    if value in ("true", "false"):
        return value == "true"
    if value.startswith('"'):
        return json.loads(value)
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d*", value):
        return float(value)
    return None


def _attribute(body: str) -> dict[str, Any]:
    attr: dict[str, Any] = {}
    for field in _split_top(body):
        key, _, value = field.partition(":")
        key, value = key.strip(), value.strip()
        if key == "Type":
            attr["type"] = _TYPES[value.removeprefix("schema.")]
        elif key in ("Required", "Optional", "Computed", "Sensitive", "ForceNew"):
            if value == "true":
                attr[key.lower()] = True
        elif key == "Default":
            attr["default"] = _literal(value)
        elif key == "DefaultFunc":
            # schema.EnvDefaultFunc("AVI_X", default): the environment variable it reads.
            env = re.fullmatch(r'schema\.EnvDefaultFunc\(\s*("[^"]*")\s*,\s*(.*?)\s*\)', value)
            if env is None:
                raise GoParseError(f"unsupported DefaultFunc {value[:60]!r}")
            attr["env"] = json.loads(env.group(1))
            if env.group(2) != "nil":
                attr["default"] = _literal(env.group(2))
        elif key == "ValidateFunc":
            attr["validate"] = value.split("(")[0]
        elif key == "Elem":
            call = re.fullmatch(r"(\w+)\(\)", value)
            wrapped = re.fullmatch(r"&schema\.Resource\{\s*Schema:\s*(\w+)\(\),?\s*\}", value)
            if call:
                attr["elem"] = call.group(1)
            elif wrapped:
                attr["elem"] = wrapped.group(1)
            else:
                inner = re.search(r"Type:\s*schema\.(\w+)", value)
                if inner is None:
                    raise GoParseError(f"unsupported Elem {value[:60]!r}")
                attr["elem"] = _TYPES[inner.group(1)]
    if "type" not in attr:
        raise GoParseError(f"attribute without Type: {body[:80]!r}")
    return attr


def _block(map_body: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for entry in _split_top(map_body):
        name, _, rest = entry.partition(":")
        open_at = rest.index("{")
        attrs[json.loads(name.strip())] = _attribute(rest[open_at + 1:_match(rest, open_at) - 1])
    return {"attributes": dict(sorted(attrs.items()))}


def strip_comments(source: str) -> str:
    """``source`` without ``//`` and ``/* */`` comments (string literals kept intact)."""
    out: list[str] = []
    i = 0
    n = len(source)
    while i < n:
        c = source[i]
        if c == '"':
            j = i + 1
            while source[j] != '"':
                j += 2 if source[j] == "\\" else 1
            out.append(source[i:j + 1])
            i = j + 1
        elif c == "`":
            j = source.index("`", i + 1)
            out.append(source[i:j + 1])
            i = j + 1
        elif source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_functions(source: str) -> dict[str, dict[str, Any]]:
    """Every schema-returning function of a Go file: name -> block."""
    out: dict[str, dict[str, Any]] = {}
    source = strip_comments(source)
    for m in _FUNC.finditer(source):
        open_at = m.end() - 1
        body = source[open_at:_match(source, open_at)]
        if "map[string]*schema.Schema{" not in body:
            continue
        out[m.group(1)] = _block(_schema_map(body))
    return out


def _registry(provider_go: str, section: str) -> dict[str, str]:
    at = provider_go.index(section + ": map[string]*schema.Resource{")
    open_at = provider_go.index("{", at)
    body = provider_go[open_at + 1:_match(provider_go, open_at) - 1]
    return dict(re.findall(r'"(\w+)":\s*(\w+)\(\)', body))


def _resource_schema_fn(source: str, constructor: str) -> str | None:
    """``resourceAviPool`` -> ``ResourcePoolSchema`` (its ``Schema: X()`` line)."""
    m = re.search(rf"func {constructor}\(\) \*schema\.Resource \{{", source)
    if m is None:
        return None
    body = source[m.end() - 1:_match(source, m.end() - 1)]
    ref = re.search(r"Schema:\s*(\w+)\(\)", body)
    return ref.group(1) if ref else None


def generate(files: dict[str, str], version: str) -> dict[str, Any]:
    """The official view from the provider's Go files (path -> text)."""
    blocks: dict[str, dict[str, Any]] = {}
    for path, text in sorted(files.items()):
        if path.endswith("_test.go"):
            continue
        blocks.update(parse_functions(text))
    provider_go = files["avi/provider.go"]
    every = "\n".join(t for p, t in files.items() if not p.endswith("_test.go"))
    provider_block = _block(_schema_map(provider_go[provider_go.index("func Provider()"):]))

    def resolve(registry: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for tf_type, constructor in sorted(registry.items()):
            if constructor in blocks:
                out[tf_type] = blocks[constructor]
                continue
            schema_fn = _resource_schema_fn(every, constructor)
            if schema_fn is None or schema_fn not in blocks:
                raise GoParseError(f"no schema found for {tf_type} ({constructor})")
            out[tf_type] = blocks[schema_fn]
        return out

    resources = resolve(_registry(provider_go, "ResourcesMap"))
    data_sources = resolve(_registry(provider_go, "DataSourcesMap"))
    used = _reachable(blocks, [*resources.values(), *data_sources.values()])
    return {
        "provider_version": version,
        "provider": provider_block["attributes"],
        "resources": resources,
        "data_sources": data_sources,
        "blocks": {name: blocks[name] for name in sorted(used)},
    }


def _reachable(blocks: dict[str, dict[str, Any]], roots: list[dict[str, Any]]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        block = todo.pop()
        for attr in block["attributes"].values():
            elem = attr.get("elem")
            if elem in blocks and elem not in seen:
                seen.add(elem)
                todo.append(blocks[elem])
    return seen


def _read_git(git_dir: str, ref: str) -> dict[str, str]:
    names = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "--name-only", ref, "avi/"],
                           check=True, capture_output=True, text=True).stdout.split()
    out = {}
    for name in names:
        if name.endswith(".go") and not name.endswith("_test.go"):
            out[name] = subprocess.run(["git", "--git-dir", git_dir, "show", f"{ref}:{name}"],
                                       check=True, capture_output=True, text=True).stdout
    return out


def _read_dir(src: str) -> dict[str, str]:
    root = Path(src)
    return {f"avi/{p.name}": p.read_text() for p in sorted((root / "avi").glob("*.go"))
            if not p.name.endswith("_test.go")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--git-dir", help="git directory of terraform-provider-avi")
    group.add_argument("--src", help="a checkout of terraform-provider-avi")
    parser.add_argument("--ref", default="30.2.1", help="branch or tag (with --git-dir)")
    parser.add_argument("--version", default=None, help="version recorded (default: --ref)")
    parser.add_argument("-o", "--out", default=str(OUT))
    args = parser.parse_args(argv)
    files = _read_git(args.git_dir, args.ref) if args.git_dir else _read_dir(args.src)
    view = generate(files, args.version or args.ref)
    data = json.dumps(view, sort_keys=True, separators=(",", ":")).encode()
    with gzip.GzipFile(args.out, "wb", mtime=0) as f:
        f.write(data)
    print(f"{args.out}: {len(view['resources'])} resources, {len(view['data_sources'])} data "
          f"sources, {len(view['blocks'])} nested blocks", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
