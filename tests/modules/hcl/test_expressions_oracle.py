"""~120 expressions evaluated by albform and by the real ``terraform console`` (offline, on
the same locals and variables), compared value for value. Skipped when terraform is absent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from albform.engine.diagnostics import Diagnostics
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.decode import declare
from albform.modules.hcl.expressions import evaluate_value, parse_expression
from albform.modules.hcl.expressions.values import plain
from albform.modules.hcl.load import load_configuration
from albform.modules.hcl.module_decoder import ModuleDecoder
from albform.modules.hcl.parse import parse_hcl
from albform.modules.hcl.schemas import schema_lookup

CONTEXT = '''
variable "name" {
  default = "web"
}
variable "ports" {
  type    = list(number)
  default = [80, 443]
}
variable "settings" {
  type = object({ enabled = bool, weight = optional(number, 5), tags = optional(map(string)) })
  default = { enabled = true }
}
locals {
  names   = ["alpha", "beta", "gamma"]
  servers = [{ ip = "10.0.0.1", port = 80 }, { ip = "10.0.0.2", port = 8080 }]
  m       = { b = 2, a = 1, c = 3 }
  nested  = { pools = { p1 = { members = ["x", "y"] }, p2 = { members = [] } } }
  empty   = []
  text    = "Hello, World"
}
'''

CASES = [
    # arithmetic and operators
    '1 + 2 * 3', '(1 + 2) * 3', '10 / 4', '10 / 2', '7 % 3', '-7 % 3', '2 - 5', '-(3)',
    '1.5 + 1.5', '0.1 + 0.2', '0.1 * 3', '1.1 - 0.2', '"5" + 1', '1 == 1.0', '1 == "1"',
    '"a" != "b"', '3 > 2', '2 >= 2',
    '1 < 0.5', 'true && false', 'true || false', '!true', '!(1 > 2)', '"true" && true',
    '[1, 2] == [1, 2]', '{a = 1} == {a = 1}', 'null == null', '1 + 2 == 3 ? "y" : "n"',
    # conditionals
    'true ? 1 : 2', 'false ? "a" : "b"', 'true ? 1 : "x"', 'var.name == "web" ? 8080 : 80',
    'length(local.empty) > 0 ? local.empty[0] : "none"',
    # strings and templates
    '"${var.name}-pool"', '"${1 + 1}"', '"port ${var.ports[0]}"', '"a$${b}"', '"%%{x}"',
    '"%{ if var.name == "web" }yes%{ else }no%{ endif }"',
    '"%{ for n in local.names }${n},%{ endfor }"',
    '"%{ for i, n in local.names }${i}=${n} %{ endfor }"',
    '"x ${~ " y " ~} z"', '"tab\\there"', '"quote \\" and \\\\"', '"\\u00e9t\\u00e9"',
    '<<EOT\nline1\n  line2 ${var.name}\nEOT\n',
    '<<-EOT\n    indented\n      more\n    EOT\n',
    # collections, traversal, splats, for expressions
    'local.names[1]', 'local.m["a"]', 'local.m.c', 'local.servers[1].port',
    'local.servers[*].ip', 'local.servers.*.port', 'local.nested.pools.p1.members',
    '[for s in local.servers : s.ip]', '[for i, n in local.names : "${i}:${n}"]',
    '{for n in local.names : n => upper(n)}', '{for k, v in local.m : v => k}',
    '[for n in local.names : n if n != "beta"]', '{for n in ["a", "b", "a"] : n => n...}',
    '[for k, v in local.m : k]', 'flatten([for k, p in local.nested.pools : p.members])',
    'var.settings', 'var.settings.weight', 'var.settings.tags', 'var.ports',
    '[1, "a", true]', '{"x y" = 1, z = [1]}', 'local.names[*]',
    # string functions
    'upper("abc")', 'lower("ABC")', 'title("hello world-x")', 'trimspace("  hi \\n")',
    'trim("?!hello?!", "!?")', 'trimprefix("helloworld", "hello")',
    'trimsuffix("helloworld", "world")', 'split(",", "a,b,,c")', 'join("-", ["a", "b"])',
    'join(",", [], ["x"])', 'replace("1 + 2 + 3", "+", "-")', 'replace("hello", "/l+/", "L")',
    'replace("a-b-c", "/(\\\\w)-/", "$1_")', 'substr("hello world", 1, 4)',
    'substr("hello", -3, -1)', 'format("%s-%03d", "vs", 7)', 'format("%q", "x")',
    'format("%5.2f|%-4s|%x|%t", 3.14159, "ab", 255, true)', 'format("%v", [1, "a"])',
    'formatlist("%s:%d", ["a", "b"], [1, 2])', 'chomp("text\\n\\n")',
    'indent(2, "a\\nb\\n")', 'strrev("abc")', 'startswith("hello", "he")',
    'endswith("hello", "lo")', 'strcontains("hello", "ell")', 'regex("[a-z]+", "123abc456")',
    'regex("(\\\\d+)-(\\\\d+)", "10-20")', 'regexall("[0-9]", "a1b2c3")', 'length("héllo")',
    # collection functions
    'length(local.names)', 'length(local.m)', 'concat([1], [2, 3])',
    'contains(local.names, "beta")',
    'distinct([1, 2, 1, 3])', 'element(local.names, 4)', 'index(local.names, "gamma")',
    'keys(local.m)', 'values(local.m)', 'lookup(local.m, "z", 0)', 'lookup(local.m, "a")',
    'merge(local.m, {d = 4}, {a = 9})', 'one([])', 'one(["x"])', 'range(3)', 'range(1, 10, 3)',
    'range(5, 0, -2)', 'reverse([1, 2, 3])', 'slice(local.names, 1, 3)', 'sort(["b", "c", "a"])',
    'zipmap(["a", "b"], [1, 2])', 'coalesce("", "x", "y")', 'coalescelist([], [1])',
    'compact(["a", "", "b"])', 'alltrue([true, true])', 'anytrue([false, true])',
    'sum([1, 2, 3.5])', 'chunklist([1, 2, 3, 4, 5], 2)', 'setunion(["b"], ["a", "b"])',
    'setintersection(["a", "b"], ["b", "c"])', 'setsubtract(["a", "b"], ["a"])',
    'setproduct(["a", "b"], [1, 2])', 'transpose({a = ["x", "y"], b = ["x"]})',
    'matchkeys(["i1", "i2"], ["us", "eu"], ["eu"])', 'flatten([[1, [2]], 3])',
    'tolist(toset(["b", "a", "b"]))', 'toset(["c", "a"])', 'tomap({a = "1", b = 2})',
    'keys({for s in local.servers : s.ip => s.port})',
    # numbers and types
    'abs(-3.5)', 'ceil(1.2)', 'floor(-1.2)', 'max(3, 7, 1)', 'min(3, 7, 1)', 'pow(2, 10)',
    'signum(-4)', 'parseint("ff", 16)', 'parseint("-101", 2)', 'log(16, 2)', 'tonumber("42")',
    'tostring(42)', 'tobool("true")', 'tostring(null)',
    # encoding and hashing
    'jsonencode({b = [1, "<&>"], a = null})', 'jsondecode("{\\"a\\": [1, 2.5, true]}")',
    'base64encode("Hello")', 'base64decode("SGVsbG8=")', 'urlencode("a b&c=d/é")',
    'yamlencode({a = "b", c = [1, 2], d = {e = true}})', 'yamldecode("a: 1\\nb: [x, y]\\n")',
    'csvdecode("a,b\\n1,2\\n3,4")', 'md5("x")', 'sha1("x")', 'sha256("x")',
    'base64sha256("x")', 'sha512("x")',
    # networking
    'cidrsubnet("10.0.0.0/16", 8, 2)', 'cidrsubnet("172.16.0.0/12", 4, 15)',
    'cidrhost("10.0.0.0/24", 5)', 'cidrhost("10.0.0.0/24", -2)', 'cidrnetmask("10.0.0.0/22")',
    'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)', 'cidrsubnet("fd00::/56", 8, 3)',
    # layout: newlines, comments, nesting
    'true ?\n      "a:b" :\n      "c"',
    '{\n      a = 1, # one\n      b = 2\n      /* three */ c = 3\n    }',
    'jsonencode(<<EOT\nx ${var.name}\nEOT\n    )', '"${join(",", ["a", "b"])}"',
    '<<EOT\n%{ for n in local.names ~}\n${n}\n%{~ endfor }\nEOT\n',
    '[\n      1,\n      2,\n    ]',
    '1.5e3', '-1', '!true == false', '-var.ports[0]', 'local.m["a"] + local.m.b',
    '{in = 1, for = 2, if = 3}', '[for k, v in {a = 1} : "${k}${v}"][0]',
    # try and can
    'try(local.m.z, "fallback")', 'try(local.m.a, 0)', 'can(local.names[5])',
    'can(regex("^a", "abc"))', 'try(tonumber("x"), -1)',
]


def _terraform_values(tmp_path: Path) -> list[Any]:
    body = ",\n".join(CASES)  # a heredoc's closing line ends with a newline before the comma
    main = CONTEXT + "locals {\n  cases = [\n" + body + "\n  ]\n}\n"
    (tmp_path / "main.tf").write_text(main)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run(["terraform", "console"], input="jsonencode(local.cases)\n",
                            cwd=tmp_path, capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip()
    # console prints an HCL string: JSON-like escapes, with ${ and %{ doubled.
    text = json.loads(printed.replace("$${", "${").replace("%%{", "%{"))
    values = json.loads(text)
    assert len(values) == len(CASES)
    return list(values)


def _albform_value(decoder: ModuleDecoder, source: str) -> Any:
    value = plain(evaluate_value(parse_expression(source), decoder.ctx))
    return json.loads(json.dumps(value))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return bool(a == b)  # exact: Terraform and albform agree to the last digit
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


@pytest.mark.terraform
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_expressions_match_terraform_console(tmp_path: Path) -> None:
    expected = _terraform_values(tmp_path)
    file, diags = parse_hcl(CONTEXT, "context.tf")
    assert file is not None and not diags
    problems = Diagnostics()
    decoder = ModuleDecoder(declare([file], problems), root_dir=tmp_path, module_dir=tmp_path,
                            module_path=(), diags=problems, loader=lambda *a: None,
                            schema=schema_lookup({}), given={})
    assert not problems
    mismatches = []
    for source, want in zip(CASES, expected, strict=True):
        got = _albform_value(decoder, source)
        if not _same(got, want):
            mismatches.append(f"{source!r}: albform {got!r} != terraform {want!r}")
    assert not mismatches, "\n".join(mismatches)
    assert len(CASES) >= 100


@pytest.mark.terraform
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_whole_file_through_python_hcl2_and_the_loader(tmp_path: Path) -> None:
    """The same cases in one .tf file read by the loader (python-hcl2 finds the expression
    boundaries, our parser the rest): local.cases must equal terraform's value."""
    expected = _terraform_values(tmp_path)
    _, diags = load_configuration(tmp_path, env={}, cache=ParseCache(None))
    assert not diags, [str(d) for d in diags]
    file, more = parse_hcl((tmp_path / "main.tf").read_text(), "main.tf")
    assert file is not None and not more
    problems = Diagnostics()
    decoder = ModuleDecoder(declare([file], problems), root_dir=tmp_path, module_dir=tmp_path,
                            module_path=(), diags=problems, loader=lambda *a: None,
                            schema=schema_lookup({}), given={})
    got = json.loads(json.dumps(plain(decoder.local("cases", 1, decoder.ctx))))
    mismatches = [f"{source!r}: albform {g!r} != terraform {w!r}"
                  for source, g, w in zip(CASES, got, expected, strict=True) if not _same(g, w)]
    assert not mismatches, "\n".join(mismatches)
