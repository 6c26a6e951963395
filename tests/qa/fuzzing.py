"""Fuzzing user input through the whole CLI, in process: mutated HCL (from the provider's
corpus and the repository's examples) and mutated cluster inputs (the translator's test cases
and the lb-demo example: manifests, the ``avi-k8s-config`` ConfigMap, controller facts).

``run_hcl_case`` / ``run_cluster_case`` write one mutated input into a working directory that
holds a state file, run the commands a user would (``validate`` and ``plan``; ``cluster
render`` and ``cluster plan``) through ``albform.cli.main.main``, and return the problems seen:
any exception other than the CLI's own exit (a traceback), "Traceback" in the output, an exit
code outside 0/1/2, or a state file changed by a command that failed. Used by
``test_fuzz_inputs.py`` (a few hundred examples in CI) and ``benchmarks/fuzz_inputs.py``
(as many as asked). Imported by path: test folders are not packages.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import shutil
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from albform.cli.main import main
from albform.engine.addrs import ResourceAddress
from albform.engine.state.codec import encode_state
from albform.engine.state.model import OutputState, ResourceState, State

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "tf-corpus"
K8S_CASES = REPO / "tests" / "modules" / "k8s" / "cases"
LB_DEMO = REPO / "examples" / "lb-demo"

# Values that have made the CLI raise before: overflowing numbers, wrong types.
HCL_SNIPPETS = (
    "pow(10, 400)", "ceil(1e400)", "floor(-1e400)", "1e400", "-1e400", "1e400 - 1e400",
    "99999999999999999999999999999999", "abs(-1e400)", "max(1e400, 1)", "min(-1e400)",
    "parseint(\"ffffffffffffffffffffffffffffffffffff\", 16)", "log(0, 10)", "log(10, 1)",
    "signum(1e400)", "pow(-1, 0.5)", "1 / 0", "1 % 0", "tonumber(\"1e999\")", "range(1e400)",
    "range(0, 5, 0)", "format(\"%d\", 1e400)", "format(\"%.2f\", pow(10, 400))",
    "substr(\"abc\", 1e20, 2)", "substr(\"abc\", 0, -1e400)", "element([1], 1e400)",
    "slice([1, 2], 0, 1e400)", "chunklist([1], 0)", "cidrsubnet(\"10.0.0.0/8\", 400, 1)",
    "cidrhost(\"10.0.0.0/8\", 1e400)", "jsondecode(\"1e400\")", "tostring(1e400)",
    "\"${pow(10, 400)}\"", "[for i in range(3) : pow(10, 400)]", "length(1e400)",
    "timeadd(\"2020-01-01T00:00:00Z\", \"99999999999999999999h\")", "sum([1e308, 1e308])",
    "ceil(-1e400)", "split(\"\", 1e400)", "null", "[]", "{}", "true", "\"\"",
)
# Values of the right type but odd: they get through validate and reach plan and apply.
ODD_NUMBERS = ("0", "-1", "65536", "2147483648", "9223372036854775808",
               "99999999999999999999", "0.5", "-0.0", "1e308", "1e-320")
ODD_STRINGS = ('""', '" "', '"ü-ß-😀"', '"' + "a" * 600 + '"', '"../x"', '"a\\nb"', '"$${x}"',
               '"%%{x}"', '"null"', '"true"', '"-1"', '"0x10"')
HCL_TOKENS = ("{", "}", "[", "]", "\"", "${", "%{", "(", ")", ",", "=", "\n", "#", "/*", "<<EOT",
              "..", "*", "?", ":", "-", "!", "0", "null", "var.", "local.x", "count.index")
YAML_VALUES: tuple[Any, ...] = (
    None, 0, -1, 1.5, 10**30, -(10**30), float("inf"), True, "", "x", "10.0.0.0/33",
    "../x", "a" * 300, [], [1], ["x", None], {}, {"a": None}, {"data": []}, "[1,2",
    "{\"networkName\": 5}", "[{\"cidrs\": 5}]", "99999", "-5", "true", "DEDICATED",
)


@dataclass
class Outcome:
    command: tuple[str, ...]
    code: object
    problem: str  # "" when fine


# -- running the CLI in process ---------------------------------------------------------------

def run_cli(workdir: Path, *args: str) -> tuple[object, str, str, str]:
    """(exit code, stdout, stderr, traceback text or "")."""
    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    trace = ""
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([f"-chdir={workdir}", *args])
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            code = None
            trace = traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), trace


def _problem(code: object, out: str, err: str, trace: str, state_before: bytes,
             state_after: bytes | None) -> str:
    if trace:
        return "traceback:\n" + trace
    if "Traceback (most recent call last)" in out + err:
        return "traceback printed:\n" + (out + err)[-3000:]
    if code not in (0, 1, 2):
        return f"exit code {code!r}:\n{err[-2000:]}"
    if code == 1 and state_after != state_before:
        return "a failing command changed the state file:\n" + err[-2000:]
    return ""


APPLY = ("apply", "-auto-approve", "-no-color", "-input=false", "-lock=false")


def run_commands(workdir: Path, commands: list[tuple[str, ...]]) -> list[Outcome]:
    """Each command in turn; ``APPLY`` runs only after a plan that succeeded, and may change
    the state although it fails (what it did before the failure is recorded)."""
    state_path = workdir / "terraform.tfstate"
    outcomes: list[Outcome] = []
    for command in commands:
        if command == APPLY and (not outcomes or outcomes[-1].code != 0):
            continue
        before = state_path.read_bytes()
        code, out, err, trace = run_cli(workdir, *command)
        after = state_path.read_bytes() if state_path.exists() else None
        if command == APPLY:
            after = before
        outcomes.append(Outcome(command, code, _problem(code, out, err, trace, before, after)))
    return outcomes


def initial_state() -> bytes:
    """A state file every example starts from (an object, and an output), so that a failing
    command that touched it would show."""
    hm = ResourceState(ResourceAddress("avi_healthmonitor", "fuzz"), {
        "uuid": "healthmonitor-00000000-0000-0000-0000-00000000f022", "name": "fuzz-hm",
        "type": "HEALTH_MONITOR_HTTP"})
    state = State(serial=7, lineage="2f6c44b8-1b6f-4a4e-9d0a-5bb1f00dfa22",
                  outputs={"o": OutputState("v")}).with_resources([hm])
    return encode_state(state)


def fresh_workdir(workdir: Path) -> None:
    if workdir.exists():
        for child in workdir.iterdir():
            if child.name == ".albform":
                continue  # the parse cache may stay: entries are keyed by content
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "terraform.tfstate").write_bytes(initial_state())


# -- HCL ----------------------------------------------------------------------------------------

def hcl_seeds() -> list[Path]:
    found = sorted(CORPUS.rglob("*.tf")) if CORPUS.is_dir() else []
    found += sorted((REPO / "examples").rglob("*.tf"))
    return [p for p in found if p.stat().st_size < 40_000]


_NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w.])")
_STRING = re.compile(r"\"[^\"\n$%]*\"")
_IDENT = re.compile(r"\b[a-z_][a-z0-9_]*\b")


def mutate_hcl(text: str, rnd: random.Random, rounds: int = 2) -> str:
    """One or two mutations; a third of the time only odd values of the right type, so
    that a good share of the inputs gets past ``validate``."""
    if rnd.random() < 0.35:
        for _ in range(rnd.randint(1, 3)):
            text = _odd_value(text, rnd)
        return text
    for _ in range(rnd.randint(1, rounds)):
        text = rnd.choice(_HCL_MUTATIONS)(text, rnd)
    return text


def _odd_value(text: str, rnd: random.Random) -> str:
    if rnd.random() < 0.5:
        return _replace_match(_NUMBER, text, rnd, lambda _: rnd.choice(ODD_NUMBERS))
    return _replace_match(_STRING, text, rnd, lambda _: rnd.choice(ODD_STRINGS))


def _replace_match(pattern: re.Pattern[str], text: str, rnd: random.Random,
                   make: Callable[[str], str]) -> str:
    matches = list(pattern.finditer(text))
    if not matches:
        return _insert_snippet(text, rnd)
    m = rnd.choice(matches)
    return text[:m.start()] + make(m.group(0)) + text[m.end():]


def _overflow_number(text: str, rnd: random.Random) -> str:
    return _replace_match(_NUMBER, text, rnd, lambda _: rnd.choice(HCL_SNIPPETS))


def _overflow_string(text: str, rnd: random.Random) -> str:
    return _replace_match(_STRING, text, rnd, lambda _: rnd.choice(HCL_SNIPPETS))


def _insert_snippet(text: str, rnd: random.Random) -> str:
    lines = text.splitlines()
    # A new attribute in the first block body found, or a local.
    at = rnd.randrange(len(lines) + 1)
    snippet = f"  fuzz_{rnd.randrange(100)} = {rnd.choice(HCL_SNIPPETS)}"
    if rnd.random() < 0.5:
        snippet = f"locals {{\n  fuzz = {rnd.choice(HCL_SNIPPETS)}\n}}\n"
        at = len(lines)
    return "\n".join([*lines[:at], snippet, *lines[at:]]) + "\n"


def _junk(text: str, rnd: random.Random) -> str:
    at = rnd.randrange(len(text) + 1)
    return text[:at] + rnd.choice(HCL_TOKENS) + text[at:]


def _delete_line(text: str, rnd: random.Random) -> str:
    lines = text.splitlines()
    if lines:
        del lines[rnd.randrange(len(lines))]
    return "\n".join(lines) + "\n"


def _duplicate_line(text: str, rnd: random.Random) -> str:
    lines = text.splitlines() or [""]
    i = rnd.randrange(len(lines))
    lines.insert(i, lines[i])
    return "\n".join(lines) + "\n"


def _truncate(text: str, rnd: random.Random) -> str:
    return text[:rnd.randrange(len(text) + 1)]


def _swap_identifier(text: str, rnd: random.Random) -> str:
    names = sorted(set(_IDENT.findall(text))) or ["x"]
    return _replace_match(_IDENT, text, rnd, lambda _: rnd.choice(names))


_HCL_MUTATIONS: tuple[Callable[[str, random.Random], str], ...] = (
    _overflow_number, _overflow_number, _overflow_string, _insert_snippet, _junk,
    _delete_line, _duplicate_line, _truncate, _swap_identifier,
)


def run_hcl_case(workdir: Path, seed: Path, rnd: random.Random) -> list[Outcome]:
    fresh_workdir(workdir)
    (workdir / "main.tf").write_text(mutate_hcl(seed.read_text(), rnd))
    return run_commands(workdir, [("validate", "-no-color"),
                                  ("plan", "-no-color", "-input=false", "-lock=false"), APPLY])


# -- cluster inputs -----------------------------------------------------------------------------

@dataclass
class ClusterInput:
    """One cluster's three inputs as data: ConfigMap, facts, manifest documents."""

    name: str
    configmap: dict[str, Any]
    facts: dict[str, Any]
    objects: list[Any]


def cluster_seeds() -> list[ClusterInput]:
    base_facts = yaml.safe_load((LB_DEMO / "controller-facts.yaml").read_text())
    seeds = [ClusterInput(
        "lb-demo", yaml.safe_load((LB_DEMO / "avi-k8s-config.yaml").read_text()), base_facts,
        [d for p in sorted((LB_DEMO / "manifests").glob("*.yaml"))
         for d in yaml.safe_load_all(p.read_text()) if d is not None])]
    for case in sorted(K8S_CASES.glob("*/input.yaml")):
        doc = yaml.safe_load(case.read_text())
        data = {k: v if isinstance(v, str) else json.dumps(v)
                for k, v in (doc.get("config") or {}).items()}
        seeds.append(ClusterInput(
            case.parent.name,
            {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "avi-k8s-config", "namespace": "avi-system"}, "data": data},
            {**base_facts, **(doc.get("facts") or {})}, list(doc.get("objects") or [])))
    return seeds


def _paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*at, index))


def _set(root: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return root


def mutate_document(doc: Any, rnd: random.Random) -> Any:
    """``doc`` with one node replaced by a value of another shape (or deleted)."""
    paths = list(_paths(doc))
    path = rnd.choice(paths)
    delete = bool(path) and rnd.random() < 0.2
    return _set(doc, path, rnd.choice(YAML_VALUES), delete)


def mutate_cluster(seed: ClusterInput, rnd: random.Random) -> ClusterInput:
    case = ClusterInput(seed.name, json.loads(json.dumps(seed.configmap)),
                        json.loads(json.dumps(seed.facts)), json.loads(json.dumps(seed.objects)))
    for _ in range(rnd.randint(1, 2)):
        target = rnd.random()
        if target < 0.4:
            case.configmap = mutate_document(case.configmap, rnd)
        elif target < 0.5:
            case.facts = mutate_document(case.facts, rnd)
        elif case.objects:
            i = rnd.randrange(len(case.objects))
            case.objects[i] = mutate_document(case.objects[i], rnd)
    return case


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False)


def run_cluster_case(workdir: Path, seed: ClusterInput, rnd: random.Random) -> list[Outcome]:
    fresh_workdir(workdir)
    case = mutate_cluster(seed, rnd)
    (workdir / "ako.yaml").write_text(_dump(case.configmap))
    (workdir / "facts.yaml").write_text(_dump(case.facts))
    manifests = "---\n".join(_dump(d) for d in case.objects)
    if rnd.random() < 0.1:  # now and then a text-level defect too
        at = rnd.randrange(len(manifests) + 1)
        manifests = manifests[:at] + rnd.choice((":", "- ", "{", "\t", "'", "&a", "*a")) \
            + manifests[at:]
    (workdir / "k8s.yaml").write_text(manifests)
    inputs = ("--manifests", str(workdir / "k8s.yaml"), "--ako-config",
              str(workdir / "ako.yaml"), "--controller-facts", str(workdir / "facts.yaml"))
    return run_commands(workdir, [("cluster", "render", *inputs),
                                  ("cluster", "plan", *inputs, "-no-color", "-lock=false")])


@contextlib.contextmanager
def fuzz_environment(base: Path) -> Iterator[Path]:
    """A working directory under ``base`` and the environment the runs need: the embedded
    emulator's database and the parse cache's key kept under ``base``, no real controller."""
    saved = dict(os.environ)
    os.environ["ALBFORM_EMULATOR_DB"] = str(base / "emulator.db")
    os.environ["XDG_CACHE_HOME"] = str(base / "user-cache")
    for key in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD", "TF_LOG"):
        os.environ.pop(key, None)
    try:
        yield base / "work"
    finally:
        os.environ.clear()
        os.environ.update(saved)


def report(outcomes: list[Outcome], label: str) -> list[str]:
    return [f"{label}: albform {' '.join(o.command)} -> {o.problem}"
            for o in outcomes if o.problem]
