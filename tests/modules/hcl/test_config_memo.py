"""The configuration memo (``modules/hcl/config_memo.py``): a load of unchanged inputs gives
back what the decode gives — values, references, texts, diagnostics of every later evaluation —
and any changed input, any load that looks at the host, any forged entry is a miss."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from albform.engine.config import Configuration
from albform.engine.diagnostics import DiagnosticsError
from albform.engine.render.json_config import render_configuration
from albform.engine.values import Deferred
from albform.modules.hcl import config_memo, decode, load
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.config_memo import MEMO_DIR
from albform.modules.hcl.direct_refs import expression_lines, expression_of
from albform.modules.hcl.expressions import FUNCTIONS, Context, evaluate_value, parse_expression
from albform.modules.hcl.expressions.context import Reads
from albform.modules.hcl.expressions.files import READS_HOST
from albform.modules.hcl.load import load_configuration
from tests.modules.hcl.test_direct_refs import _outcome, _planned, _shape, _types

MAIN = """
variable "suffix" {
  default = "-v"
}
locals {
  motd = file("motd.txt")
}
resource "avi_healthmonitor" "hm" {
  name = "hm${var.suffix}"
  type = "HEALTH_MONITOR_TCP"
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [description]
  }
}
resource "avi_pool" "a" {
  name                = "a"
  health_monitor_refs = [avi_healthmonitor.hm.id, "literal", avi_healthmonitor.hm.uuid]
  description         = "after ${avi_healthmonitor.hm.name} and ${avi_healthmonitor.hm.id}!"
  depends_on          = [avi_healthmonitor.hm]
}
resource "avi_pool" "b" {
  name        = avi_pool.a.name
  description = <<-EOT
    first ${avi_pool.a.description}
    then ${avi_pool.a.cloud_ref}
  EOT
  cloud_ref   = avi_pool.a.cloud_ref
  tenant_ref  = avi_pool.a.no_such_attribute
}
module "app" {
  source = "./app"
  name   = local.motd
}
moved {
  from = avi_pool.old
  to   = avi_pool.a
}
output "pool" {
  value = avi_pool.b.name
}
"""
APP = """
variable "name" {}
resource "avi_tenant" "t" {
  name        = "t"
  description = var.name
}
"""


def _root(write: Any) -> Path:
    return write({"main.tf": MAIN, "app/main.tf": APP, "motd.txt": "hello",
                  "terraform.tfvars": 'suffix = "-t"\n'})


class Loads:
    """Loads through the default cache, counting the decodes (a memo hit decodes nothing)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.decodes = 0
        declare = load.declare

        def counted(*args: Any) -> Any:
            self.decodes += 1
            return declare(*args)
        monkeypatch.setattr(load, "declare", counted)

    def __call__(self, root: Path, env: Mapping[str, str], **kwargs: Any) -> Configuration:
        config, diags = load_configuration(root, env=env, **kwargs)
        assert not diags, "\n".join(map(str, diags))
        return config


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    return Loads(monkeypatch)


def _same(a: Configuration, b: Configuration) -> None:
    assert [r.address for r in a.resources] == [r.address for r in b.resources]
    for x, y in zip(a.resources, b.resources, strict=True):
        assert _shape(x.attributes) == _shape(y.attributes)
        assert _types(_shape(x.attributes)) == _types(_shape(y.attributes))
        assert (x.depends_on, x.lifecycle, x.source, x.provider, x.replace_remedy) == \
            (y.depends_on, y.lifecycle, y.source, y.provider, y.replace_remedy)
    assert [(o.name, _shape(o.value), o.sensitive, o.source) for o in a.outputs] == \
        [(o.name, _shape(o.value), o.sensitive, o.source) for o in b.outputs]
    assert (a.moved, a.imports, a.provider_config, a.backend, a.inputs, a.variables) == \
        (b.moved, b.imports, b.provider_config, b.backend, b.inputs, b.variables)


def test_an_unchanged_reload_comes_from_the_memo_and_equals_the_decode(
        write: Any, env: dict[str, str], loads: Loads) -> None:
    root = _root(write)
    first = loads(root, env)
    second = loads(root, env)
    assert loads.decodes == 1
    _same(first, second)
    by = second.by_address()
    pool = by[next(a for a in by if str(a) == "avi_pool.a")]
    assert pool.lifecycle is first.by_address()[pool.address].lifecycle or \
        pool.lifecycle == first.by_address()[pool.address].lifecycle
    # One address object per resource, shared by every reference to it (the planner's maps
    # find them by identity).
    refs = {id(a) for r in second.resources for v in r.attributes.values()
            if isinstance(v, Deferred) for a in v.references}
    assert refs <= {id(r.address) for r in second.resources}
    # The blocks as written (the plan JSON's configuration) are read again on demand.
    assert first.describe_written is not None and second.describe_written is not None
    assert render_configuration(second, {}) == render_configuration(first, {})


def test_the_memo_refuses_a_describe_of_files_changed_since(
        write: Any, env: dict[str, str], loads: Loads) -> None:
    root = _root(write)
    loads(root, env)
    second = loads(root, env)
    (root / "main.tf").write_text(MAIN + '\nresource "avi_tenant" "more" {\n  name = "m"\n}\n')
    assert second.describe_written is not None
    with pytest.raises(DiagnosticsError, match="changed while albform was working"):
        second.describe_written()


def _change_file(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text)


CHANGES = {
    "configuration file": lambda r: _change_file(r, "main.tf", MAIN.replace('= "a"', '= "a2"')),
    "new configuration file": lambda r: _change_file(r, "more.tf", ""),
    "module file": lambda r: _change_file(r, "app/main.tf", APP.replace('= "t"', '= "t2"')),
    "new module file": lambda r: _change_file(r, "app/more.tf", ""),
    "file() read": lambda r: _change_file(r, "motd.txt", "bye"),
    "variables file": lambda r: _change_file(r, "terraform.tfvars", 'suffix = "-u"\n'),
    "new variables file": lambda r: _change_file(r, "x.auto.tfvars", 'suffix = "-x"\n'),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_changed_file_input_misses(write: Any, env: dict[str, str], loads: Loads,
                                        change: str) -> None:
    root = _root(write)
    loads(root, env)
    CHANGES[change](root)
    again = loads(root, env)
    assert loads.decodes == 2
    fresh, _ = load_configuration(root, env=env, remember=False)
    _same(again, fresh)


ARGUMENTS: dict[str, dict[str, Any]] = {
    "workspace": {"workspace": "staging"},
    "validating": {"validating": True},
    "var file": {"var_files": ["extra.tfvars"]},
    "API extras": {"env": {"ALBFORM_API_EXTRAS": "1"}},
    "-var": {"variables": {"suffix": "-cli"}},
    "TF_VAR_": {"env": {"TF_VAR_suffix": "-env"}},
}


@pytest.mark.parametrize("argument", sorted(ARGUMENTS))
def test_each_changed_load_argument_misses(write: Any, env: dict[str, str], loads: Loads,
                                           argument: str) -> None:
    root = _root(write)
    (root / "extra.tfvars").write_text('suffix = "-f"\n')
    loads(root, env)
    kwargs = dict(ARGUMENTS[argument])
    kwargs["env"] = {**env, **kwargs.get("env", {})}
    if "var_files" in kwargs:
        kwargs["var_files"] = [root / p for p in kwargs["var_files"]]
    loads(root, **kwargs)
    loads(root, **kwargs)  # kept apart from the first (or, for values given, not at all)
    assert loads.decodes == (3 if argument in ("-var", "TF_VAR_") else 2)
    loads(root, env)  # and the first entry is still there
    assert loads.decodes == (3 if argument in ("-var", "TF_VAR_") else 2)


def test_values_given_on_the_command_line_are_never_written(
        write: Any, env: dict[str, str], loads: Loads) -> None:
    root = _root(write)
    loads(root, {**env, "TF_VAR_suffix": "-secret"})
    loads(root, env, variables={"suffix": "-secret"})
    assert not (root / MEMO_DIR).exists()


def test_an_upgrade_writes_over_the_entry_it_invalidates(
        write: Any, env: dict[str, str], loads: Loads, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _root(write)
    loads(root, env)
    monkeypatch.setattr(config_memo, "installation_fingerprint", lambda: "upgraded")
    loads(root, env)
    loads(root, env, workspace="staging")
    assert loads.decodes == 3
    assert len(list((root / MEMO_DIR).iterdir())) == 2  # one per workspace


def test_another_installation_or_key_misses(write: Any, env: dict[str, str], loads: Loads,
                                            monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    root = _root(write)
    loads(root, env)
    loads(root, {"XDG_CACHE_HOME": str(tmp_path / "another-user")})
    assert loads.decodes == 2
    monkeypatch.setattr(config_memo, "installation_fingerprint", lambda: "upgraded")
    loads(root, env)
    assert loads.decodes == 3


def test_a_changed_or_planted_entry_is_ignored(write: Any, env: dict[str, str],
                                               loads: Loads) -> None:
    root = _root(write)
    loads(root, env)
    (entry,) = (root / MEMO_DIR).iterdir()
    data = entry.read_bytes()
    entry.write_bytes(data.replace(b"after ", b"AFTER "))
    assert "AFTER" not in str(_shape(loads(root, env).resources[1].attributes))
    assert loads.decodes == 2
    entry.write_bytes(b"0" * 64 + b"\n" + data.partition(b"\n")[2])
    loads(root, env)
    assert loads.decodes == 3


def _used(expression: str) -> str:
    return f'resource "avi_tenant" "h" {{\n  name = "h"\n  description = {expression}\n}}\n'


NOT_KEPT = {
    "fileexists": _used('tostring(fileexists("motd.txt"))'),
    "fileset": _used('join(",", fileset(".", "*.txt"))'),
    "pathexpand": _used('pathexpand("~/x")'),
    "abspath": _used('abspath("motd.txt")'),
    # Looked at in a template: no .tf file calls it.
    "fileexists in a template": _used('templatefile("flag.tpl", {})'),
    "a file outside": 'resource "avi_tenant" "o" {\n  name = file("../outside.txt")\n}\n',
    "an evaluated reference": 'resource "avi_tenant" "e" {\n'
                              '  name = "${avi_pool.a.name}${var.suffix}"\n}\n',
    "a warning": 'check "c" {\n}\n',
}


@pytest.mark.parametrize("case", sorted(NOT_KEPT))
def test_loads_that_depend_on_more_than_their_inputs_are_not_kept(
        write: Any, env: dict[str, str], loads: Loads, case: str) -> None:
    root = _root(write)
    (root.parent / "outside.txt").write_text("out")
    (root / "flag.tpl").write_text('${fileexists("motd.txt")}')
    (root / "extra.tf").write_text(NOT_KEPT[case])
    _, diags = load_configuration(root, env=env)
    assert not diags.has_errors(), "\n".join(map(str, diags))
    assert not (root / MEMO_DIR).exists() or not any((root / MEMO_DIR).iterdir())


def test_an_unevaluated_host_look_does_not_stop_the_memo(write: Any, env: dict[str, str],
                                                         loads: Loads) -> None:
    """The functions are noted as they are called: a local value nothing uses is never
    evaluated, so the load does not depend on it (the memo's negative control)."""
    root = _root(write)
    (root / "extra.tf").write_text('locals {\n  unused = fileexists("motd.txt")\n}\n')
    loads(root, env)
    loads(root, env)
    assert loads.decodes == 1


def test_host_looks_in_variable_files_stop_the_memo(write: Any, env: dict[str, str]) -> None:
    root = _root(write)
    (root / "terraform.tfvars").write_text('suffix = tostring(fileexists("motd.txt"))\n')
    _, diags = load_configuration(root, env=env)
    assert not diags.has_errors(), "\n".join(map(str, diags))
    assert not (root / MEMO_DIR).exists() or not any((root / MEMO_DIR).iterdir())


def test_a_file_read_by_a_variables_file_is_an_input(write: Any, env: dict[str, str],
                                                     loads: Loads) -> None:
    """Its digest is among the inputs (saved plans compare them too) and a change misses."""
    root = _root(write)
    (root / "suffix.txt").write_text("-one")
    (root / "terraform.tfvars").write_text('suffix = file("suffix.txt")\n')
    first = loads(root, env)
    assert str((root / "suffix.txt").resolve()) in first.inputs
    (root / "suffix.txt").write_text("-two")
    again = loads(root, env)
    assert loads.decodes == 2
    names = [r.attributes.get("name") for r in again.resources
             if r.address.type == "avi_healthmonitor"]
    assert names == ["hm-two"]


def test_a_variables_file_outside_the_folder_is_not_kept(write: Any, env: dict[str, str],
                                                        tmp_path: Path) -> None:
    """It may hold secrets that must not be copied into the folder's .albform/."""
    root = _root(write)
    outside = tmp_path / "elsewhere" / "secret.tfvars"
    outside.parent.mkdir()
    outside.write_text('suffix = "-hunter2"\n')
    _, diags = load_configuration(root, env=env, var_files=[outside])
    assert not diags.has_errors()
    entries = list((root / MEMO_DIR).iterdir()) if (root / MEMO_DIR).exists() else []
    assert not any(b"hunter2" in e.read_bytes() for e in entries)
    assert entries == []


def _repoint(link: Path, target: str) -> None:
    link.unlink()
    link.symlink_to(target)


LINKS: dict[str, tuple[dict[str, str], str, str, Any]] = {
    # files beside the root, the link's first and second target, what the load shows
    "file() through a link": (
        {"a.txt": "from-a", "b.txt": "from-b"}, "a.txt", "b.txt",
        _used('file("link.txt")')),
    "a configuration file that is a link": (
        {"defs/a.tf": _used('"from-a"'), "defs/b.tf": _used('"from-b"')},
        "defs/a.tf", "defs/b.tf", None),
    "a module folder that is a link": (
        {"mods/a/main.tf": _used('"from-a"'), "mods/b/main.tf": _used('"from-b"')},
        "mods/a", "mods/b", 'module "linked" {\n  source = "./linked"\n}\n'),
}


@pytest.mark.parametrize("case", sorted(LINKS))
def test_a_symbolic_link_pointed_elsewhere_misses(write: Any, env: dict[str, str],
                                                  loads: Loads, case: str) -> None:
    files, first, second, extra = LINKS[case]
    root = _root(write)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    link = root / {"file() through a link": "link.txt",
                   "a configuration file that is a link": "linked.tf",
                   "a module folder that is a link": "linked"}[case]
    link.symlink_to(first)
    if extra is not None:
        (root / "extra.tf").write_text(extra)

    def description() -> Any:
        config = loads(root, env)
        (found,) = [r.attributes.get("description") for r in config.resources
                    if str(r.address).endswith("avi_tenant.h")]
        return found

    assert description() == "from-a"
    assert description() == "from-a"
    assert loads.decodes == 1  # the second came from the memo
    _repoint(link, second)
    assert description() == "from-b"
    assert loads.decodes == 2


def test_a_caller_with_its_own_parse_cache_reads_in_full(write: Any, env: dict[str, str],
                                                         loads: Loads) -> None:
    root = _root(write)
    loads(root, env)
    loads(root, env, cache=ParseCache(None))
    assert loads.decodes == 2


# -- the remade references resolve as the evaluator does --------------------------------------

DIRECT = """
resource "avi_healthmonitor" "hm" {
  name = "hm"
  type = "HEALTH_MONITOR_TCP"
}
resource "avi_pool" "a" {
  name                = "a"
  health_monitor_refs = [avi_healthmonitor.hm.id, "literal", avi_healthmonitor.hm.uuid]
  description         = "after ${avi_healthmonitor.hm.name} and ${avi_healthmonitor.hm.id}!"
}
resource "avi_pool" "b" {
  name        = avi_pool.a.name
  description = "x${avi_pool.a.description}"
  cloud_ref   = "${avi_pool.a.cloud_ref}:${avi_healthmonitor.hm.tenant_ref}"
  tenant_ref  = avi_pool.a.no_such_attribute
}
"""


@pytest.fixture(scope="module")
def remade(tmp_path_factory: pytest.TempPathFactory) -> tuple[Configuration, Configuration]:
    root = tmp_path_factory.mktemp("memo")
    (root / "main.tf").write_text(textwrap.dedent(DIRECT))
    env = {"XDG_CACHE_HOME": str(root / "user-cache")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(decode, "direct_parts", lambda expr, ctx: None)
        slow, diags = load_configuration(root, env=env, cache=ParseCache(None))
    assert not diags
    load_configuration(root, env=env)
    memo, diags = load_configuration(root, env=env)
    assert not diags and (root / MEMO_DIR).exists()
    deferred = [v for r in memo.resources for v in r.attributes.values()
                if isinstance(v, Deferred)]
    assert deferred and all(v.expr is None for v in deferred)  # type: ignore[attr-defined]
    return memo, slow


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(planned=_planned())
def test_remade_references_resolve_as_the_evaluator_does(remade, planned) -> None:
    memo, slow = remade
    for m, s in zip(memo.resources, slow.resources, strict=True):
        for name, value in m.attributes.items():
            got, want = _outcome(value, planned), _outcome(s.attributes[name], planned)
            assert got == want, f"{m.address}.{name}"
            if got[0] == "value":
                assert _types(got[1]) == _types(want[1]), f"{m.address}.{name}"


def test_expressions_are_made_again_from_their_parts_and_lines(write: Any) -> None:
    root = write({"main.tf": DIRECT})
    config, _ = load_configuration(root, env={}, cache=ParseCache(None))
    for r in config.resources:
        for value in r.attributes.values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, Deferred):
                    again = expression_of(v.parts, v.whole,  # type: ignore[attr-defined]
                                          expression_lines(v.expr))  # type: ignore[attr-defined]
                    assert again == v.expr  # type: ignore[attr-defined]


def test_a_hit_tells_the_early_settings_once_as_the_decode_does(
        write: Any, env: dict[str, str], loads: Loads) -> None:
    root = _root(write)
    (root / "provider.tf").write_text(
        'provider "avi" {\n  avi_controller = "ctl${var.suffix}"\n}\n'
        'terraform {\n  backend "local" {\n    path = "s.tfstate"\n  }\n}\n')
    told: list[tuple[Any, ...]] = []
    loads(root, env, settings_known=lambda *early: told.append(early))
    loads(root, env, settings_known=lambda *early: told.append(early))
    assert loads.decodes == 1
    assert told[0] == told[1] and len(told) == 2
    assert told[0][0]["avi_controller"] == "ctl-t"


def test_another_installed_parser_misses(write: Any, env: dict[str, str], loads: Loads,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = _root(write)
    loads(root, env)
    assert "python_hcl2-" in config_memo._parsers()  # the versions are in the binding
    monkeypatch.setattr(config_memo, "_parsers", lambda: "python_hcl2-99.0.0.dist-info")
    loads(root, env)
    assert loads.decodes == 2


@pytest.mark.parametrize("function", sorted(READS_HOST))
def test_each_function_that_looks_at_the_host_notes_its_call(function: str,
                                                             tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    args = {"fileset": '(".", "*.txt")'}.get(function, '("f.txt")')
    reads = Reads()
    evaluate_value(parse_expression(f"{function}{args}"),
                   Context({}, FUNCTIONS, tmp_path, reads=reads))
    assert reads.host == {function}
