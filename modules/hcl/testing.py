"""Helpers for the tests and benchmarks that load the provider's Terraform corpus
(``../shared/tf-corpus``): which configurations it holds, a scratch copy of one, and
placeholder values for the variables the corpus expects from its user. Not used by albform
itself; they only read the corpus and write where they are told."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from albform.engine.diagnostics import Diagnostics
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.decode import declare


def corpus_cases(corpus: Path) -> list[Path]:
    """Each example folder (a configuration of several files), then each acceptance file."""
    examples = sorted({p.parent for p in (corpus / "examples").rglob("*.tf")})
    acceptance = sorted((corpus / "acceptance").rglob("*.tf"))
    return [*examples, *acceptance]


def copy_case(source: Path, workdir: Path) -> Path:
    """The configuration in a scratch directory (the loader may cache beside it; the corpus is
    read-only), keeping relative paths such as ``file("${path.module}/app_cert.key")``."""
    if source.is_dir():
        shutil.copytree(source, workdir, ignore=shutil.ignore_patterns(".albform"))
    else:
        workdir.mkdir()
        shutil.copy(source, workdir / "main.tf")
    return workdir


def write_dummy_values(paths: Sequence[Path], cache: ParseCache, out: Path) -> Path:
    """Write to ``out`` a tfvars file for the variables of ``paths`` without a default: a list
    for list, set and tuple types and for untyped ``*_ips``, a map for maps and objects, else a
    string."""
    files = [f for f in (cache.load(p, str(p))[0] for p in paths) if f is not None]
    lines: list[str] = []
    for name, (_, block) in declare(files, Diagnostics()).variables.items():
        if block.body.attribute("default") is not None:
            continue
        type_attr = block.body.attribute("type")
        text = type_attr.text if type_attr is not None else ""
        listy = text.startswith(("list", "set", "tuple")) or (not text and name.endswith("ips"))
        value = '["10.10.10.10"]' if listy else \
            "{}" if text.startswith(("map", "object")) else '"10.10.10.10"'
        lines.append(f"{name} = {value}")
    out.write_text("\n".join(lines) + "\n")
    return out
