"""``albform cluster render``: print the objects AKO would create, without a controller.

One entry per object (API type, name, tenant, body) as JSON or YAML. Every value the Avi
schema marks sensitive (private keys of TLS certificates...) is masked, by the same rule as
plans (``engine/schema.py`` ``mask_sensitive``): rendered output ends up in logs and CI
artefacts. The output is one document: ``objects`` (that list), ``crds`` (each CRD's status
as AKO would set it: Accepted, or Rejected with AKO's reason) and ``diagnostics`` (every object
or rule skipped, with the reason AKO logs), so nothing skipped is missing from ``-o json``.
``--objects-only`` prints the bare list of entries instead (the shape before the document).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.load import ClusterInputs, load_cluster
from albform.modules.k8s.objects import Translation


class _Dumper(yaml.SafeDumper):
    """YAML as people write manifests: a multi-line string (a PEM certificate, a DataScript)
    as a ``|`` block; PyYAML falls back to quoting where a block cannot hold the value."""


# Unicode line breaks PyYAML (6.0) writes raw under allow_unicode and reads back changed
# ('\x85' -> '\x85  '): such strings are double-quoted, where they become escapes.
_UNICODE_BREAKS = frozenset("\x85\u2028\u2029")


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _UNICODE_BREAKS.intersection(value) else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _masked(entry: dict[str, Any], schemas: Any) -> dict[str, Any]:
    """The entry with every value the provider's schema marks sensitive masked."""
    schema = schemas.get(f"avi_{entry['type']}")
    if schema is None:  # a bug: the translator made a type the provider does not offer
        raise AssertionError(f"no schema for rendered type {entry['type']!r}")
    return {**entry, "body": schema.masked(entry["body"])}


@click.command("render")
@click.option("--manifests", "manifests", multiple=True, required=True,
              type=click.Path(path_type=Path),
              help="Kubernetes manifests: file or directory (repeatable).")
@click.option("--ako-config", "ako_config", required=True, type=click.Path(path_type=Path),
              help="The avi-k8s-config ConfigMap (kubectl -o yaml) or AKO Helm values.")
@click.option("--controller-facts", "controller_facts", type=click.Path(path_type=Path),
              help="YAML with cloudType, dnsSubdomains, licenseTier, vrfName.")
@click.option("-o", "--output", "output", type=click.Choice(["json", "yaml"]), default="json",
              show_default=True, help="Output format.")
@click.option("--objects-only", "objects_only", is_flag=True,
              help="Print only the list of objects, without the CRD statuses and the "
                   "skipped inputs.")
# The document is the default now; the flag that asked for it still parses.
@click.option("--report", is_flag=True, hidden=True)
def render_command(manifests: tuple[Path, ...], ako_config: Path,
                   controller_facts: Path | None, output: str, objects_only: bool = False,
                   report: bool = False) -> int:
    """Print the ALB objects AKO would create for these manifests. With -o json/yaml the
    document also holds each CRD's status and every input AKO would skip
    ({objects, crds, diagnostics}).

    \b
    Example:
        albform cluster render --manifests k8s/ --ako-config avi-k8s-config.yaml
    """
    translation, diags = load_cluster(ClusterInputs(
        manifests=manifests, ako_config=ako_config, controller_facts=controller_facts))
    return show_rendered(translation, diags, output, report=not objects_only)


def show_rendered(translation: Translation | None, diags: Diagnostics, output: str, *,
                  report: bool = False) -> int:
    """Diagnostics to stderr, then the entries as JSON or YAML; 1 when there are errors.
    Shared by ``cluster render`` and ``gslb render``. ``report``: one document with the
    entries, the CRD statuses and the diagnostics."""
    for diag in diags:
        click.echo(str(diag), err=True)
    if translation is None or diags.has_errors():
        return 1
    from albform.provider.factory import offline_schemas

    schemas = offline_schemas()
    entries = [_masked(e, schemas) for e in translation.to_json()]
    document: Any = entries
    if report:
        document = {
            "objects": entries,
            "crds": [s.to_json() for s in translation.crd_status],
            "diagnostics": [{"severity": d.severity.value, "summary": d.summary,
                             "detail": d.detail, "where": str(d.subject or "")}
                            for d in diags],
        }
    if output == "yaml":
        text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
        click.echo(text, nl=False)
    else:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    return 0
