"""Canonicalising a cluster's configuration: the compiled schema walk against the generic one.

    .venv/bin/python benchmarks/canonicalize.py [--nodes 500] [--services 2500]
        [--ingresses 1250] [--repeat 5]

Issue 16 goal 3: ``provider/resources/canonical.py`` compiles the walk once per schema object;
the generic walk it replaced is kept as the tests' reference
(``tests/provider/resources/canonical_walk.py``). Both canonicalise every configured object of
a synthetic cluster (``modules/k8s/testing.synthetic_cluster``, the sizes of
``k8s_translate.py``; the defaults make 14,165 objects) with the provider's real schemas,
alternately in one process, best of ``--repeat`` CPU times each, with the collector paused as
the planner pauses it; the answers must be equal.
References resolve to themselves (a stand-in resolver): the figure is the walk's own cost,
not the controller lookups'.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))  # not needed when installed
sys.path.insert(0, str(BENCH_DIR.parent / "tests" / "provider" / "resources"))  # the reference

from canonical_walk import ReferenceWalk  # noqa: E402
from k8s_translate import translate_cluster  # noqa: E402

from albform.engine.collector import collector_paused  # noqa: E402
from albform.modules.k8s.testing import synthetic_cluster  # noqa: E402
from albform.provider.resources.api import Tenant  # noqa: E402
from albform.provider.resources.canonical import Canonicalizer  # noqa: E402
from albform.provider.resources.registry import TypeRegistry  # noqa: E402
from albform.provider.resources.resolver import Scope  # noqa: E402
from albform.provider.resources.schemas import SchemaCatalog  # noqa: E402
from albform.provider.schema.table import load_table  # noqa: E402


class SameRef:
    """Stands for the resolver: every reference is already canonical."""

    def canonical(self, value: str, target: str | None, scope: Scope) -> str:
        return value


def jobs(nodes: int, services: int, ingresses: int) -> list[tuple[Any, ...]]:
    """(api type, schema fields, attributes, scope) of every configured object with a schema
    of its own (static routes and pool servers have canonicalisers of their own)."""
    config = translate_cluster(synthetic_cluster(nodes, services, ingresses)).to_configuration()
    catalog = SchemaCatalog(TypeRegistry.from_table(load_table()))
    scope = Scope(Tenant(name="admin"), "cloud-1")
    out = []
    for rc in config.resources:
        schema = catalog.get(rc.type)
        if schema is not None and not catalog.registry.is_partial(rc.type):
            out.append((catalog.registry.api_type(rc.type), schema.attributes, rc.attributes,
                        scope))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--services", type=int, default=2500)
    parser.add_argument("--ingresses", type=int, default=1250)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = jobs(args.nodes, args.services, args.ingresses)
    walks = {"generic walk (reference)": ReferenceWalk(SameRef()),  # type: ignore[arg-type]
             "compiled walk": Canonicalizer(SameRef())}  # type: ignore[arg-type]
    best: dict[str, float] = {}
    answers: dict[str, list[dict[str, Any]]] = {}
    for _ in range(args.repeat):
        for name, walk in walks.items():
            answers.pop(name, None)
            with collector_paused():  # as the planner runs it (engine/collector.py)
                cpu = time.process_time()
                answers[name] = [walk.canonicalize(*job) for job in work]
                best[name] = min(best.get(name, float("inf")), time.process_time() - cpu)
    reference, compiled = answers.values()
    assert reference == compiled, "the compiled walk answers differently"
    print(f"{len(work)} configured objects, best of {args.repeat} (CPU s)")
    base = best["generic walk (reference)"]
    for name, cpu in best.items():
        print(f"{name:<28}{cpu:8.3f}   {base / cpu:5.2f}x  ({cpu / len(work) * 1e6:.1f} µs/object)")


if __name__ == "__main__":
    main()
