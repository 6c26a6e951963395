"""The built-in GSLB module, ``source = "albform/amko"``: the GslbServices and health monitors
AMKO would create on the GSLB leader for several member clusters, contributed to the plan as
``module.NAME.avi_<type>.amko["<name>"]``.

Arguments (relative paths resolve against the configuration directory):

* ``members`` — a map of member cluster name (its ``clusterContext`` in the GSLBConfig) to a
  manifest path, a list of paths, or ``"context:CTX"`` to read that kubeconfig context live;
* ``kubeconfig`` — the kubeconfig file for ``context:`` members (default: the usual lookup);
* ``amko`` — a path or list of paths holding the GSLBConfig, GlobalDeploymentPolicy and
  GSLBHostRule objects.

Outputs: ``gslbservices`` and ``healthmonitors`` (maps of instance key → planned attributes),
``objects`` (every object, keyed ``avi_<type>.<key>``) and ``names`` (type → object names).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.hcl.ako_module import (
    ModuleProblem,
    argument_path,
    decode_builtin_call,
    module_result,
)
from albform.modules.hcl.decode import Expansion, ModuleResult
from albform.modules.hcl.syntax import Block

if TYPE_CHECKING:
    from albform.modules.hcl.module_decoder import ModuleDecoder

SOURCE = "albform/amko"
ARGUMENTS = ("members", "kubeconfig", "amko")
OUTPUT_TYPES = {"gslbservices": "avi_gslbservice", "healthmonitors": "avi_healthmonitor"}


def decode_amko_call(parent: ModuleDecoder, name: str, filename: str, block: Block,
                     exp: Expansion, extra_depends_on: tuple[ResourceAddress, ...],
                     ) -> dict[Any, ModuleResult]:
    return decode_builtin_call(parent, name, filename, block, exp, extra_depends_on,
                               source=SOURCE, inputs=ARGUMENTS, instance=_instance)


def _paths(root: Path, value: Any, what: str, filename: str, line: int,
           diags: Diagnostics) -> tuple[Path, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(argument_path(root, v, what, filename, line, diags) for v in values)


def _instance(root: Path, filename: str, block: Block, args: dict[str, tuple[Any, int]],
              module: tuple[ModuleStep, ...], diags: Diagnostics,
              extra_depends_on: tuple[ResourceAddress, ...]) -> ModuleResult:
    from albform.modules.gslb.load import (
        CONTEXT_PREFIX,
        MemberSource,
        load_gslb_configuration,
    )

    where = SourceRange(filename, block.line)
    for required in ("members", "amko"):
        if required not in args:
            diags.error("Missing required argument", f"The {SOURCE} module needs {required} "
                        "(members: a map of cluster name to manifests or \"context:CTX\"; "
                        "amko: the AMKO objects).", subject=where)
            raise ModuleProblem
    value, line = args["members"]
    if not isinstance(value, dict) or not value:
        diags.error("Invalid value", "members must be a map of member cluster name to a "
                    "manifest path, a list of paths, or \"context:CTX\".",
                    subject=SourceRange(filename, line))
        raise ModuleProblem
    kubeconfig = None
    if "kubeconfig" in args:
        kubeconfig = str(argument_path(root, args["kubeconfig"][0], "kubeconfig", filename,
                                       args["kubeconfig"][1], diags))
    members = []
    for cluster, where_from in sorted(value.items()):
        if isinstance(where_from, str) and where_from.startswith(CONTEXT_PREFIX):
            members.append(MemberSource(str(cluster), context=where_from[len(CONTEXT_PREFIX):],
                                        kubeconfig=kubeconfig))
        else:
            members.append(MemberSource(str(cluster), _paths(root, where_from,
                                                             f"members.{cluster}", filename,
                                                             line, diags)))
    amko = _paths(root, args["amko"][0], "amko", filename, args["amko"][1], diags)
    config, more = load_gslb_configuration(members, list(amko), module)
    return module_result(config, more, diags, where, extra_depends_on, OUTPUT_TYPES)
