"""Planning: from a configuration, the stored state and the real objects to a ``Plan``.

``build_plan`` is called by the CLI (plan, apply, destroy). Order of work:

1. ``moved`` blocks rename instances in the stored state, and the open intents of an
   interrupted apply are reconciled with the controller (``recovery``) → ``prev_run_state``;
2. refresh: one bulk ``read_many`` per resource type, at most ``parallelism`` types at once;
   objects gone are dropped (drift) → ``prior_state``; ``detect_drift`` gives ``plan.drift``.
   Meanwhile a helper thread canonicalises the resources without references
   (``planning_ahead``), so the planner's own work overlaps the controller's;
3. configured resources and data sources in dependency order (``engine/graph.py``):
   ``Deferred`` values are evaluated against the planned values of their references, the
   result is canonicalised by the provider and diffed (``engine/diff.py``) against prior;
4. state instances without configuration are deleted; ``destroy`` deletes everything;
   deposed objects (left by an interrupted create_before_destroy) are deleted in any case;
5. fix-ups and checks (``planning_checks``): unset unconfigured refs to doomed objects
   (deleted, replaced or deposed), ``prevent_destroy``, the blast-radius guard; then
   outputs.

Steps 1 and 2 live in ``planning_refresh``; planning one instance of step 3 (and the working
set ``Planner``) in ``planning_resource``.

Planning never writes anything. User mistakes become diagnostics; a ``ProviderError`` during
refresh or lookup becomes an error diagnostic naming the address, and the plan is errored.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, OutputChange, Plan, PlanOptions, ResourceChange
from albform.engine.collector import collector_paused
from albform.engine.config import Configuration, OutputConfig, ResourceConfig
from albform.engine.deposed import deposed_deletes
from albform.engine.diagnostics import Diagnostics
from albform.engine.diff import coerce_equal
from albform.engine.drift import detect_drift
from albform.engine.graph import Graph
from albform.engine.hooks import Hook, NullHook
from albform.engine.noop_memo import NoopMemo, Verdicts
from albform.engine.planning_ahead import DesiredAhead
from albform.engine.planning_checks import (
    check_blast_radius,
    check_prevent_destroy,
    check_replace_referenced,
    unset_dangling_refs,
)
from albform.engine.planning_graph import config_graph
from albform.engine.planning_refresh import (
    ReadsAhead,
    apply_moves,
    matches,
    refresh,
    unheld_by_state,
)
from albform.engine.planning_resource import Planner, plan_data, plan_resource
from albform.engine.provider import CanonicalBasis, Provider
from albform.engine.recovery import reconcile
from albform.engine.state.journal import Intent, intents_digest
from albform.engine.state.model import ResourceState, State
from albform.engine.values import contains_placeholder, resolve_deferred

TARGET_WARNING_DETAIL = (
    "You are creating a plan with the -target option, which means that the result of this "
    "plan may not represent all of the changes requested by the current configuration.\n\n"
    "The -target option is not for routine use, and is provided only for exceptional "
    "situations such as recovering from errors or mistakes, or when albform specifically "
    "suggests to use it as part of an error message."
)


def now_rfc3339() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_plan(config: Configuration, prev_state: State, provider: Provider,
               options: PlanOptions = PlanOptions(), *, hook: Hook = NullHook(),  # noqa: B008
               parallelism: int = 10, intents: Sequence[Intent] = (),
               reads_ahead: ReadsAhead | None = None,
               noop_memo: NoopMemo | None = None) -> tuple[Plan, Diagnostics]:
    """Plan ``config`` against ``prev_state`` and the real objects; see the module docstring.

    ``parallelism`` bounds the concurrent ``read_many`` calls of the refresh (one per type).
    ``intents`` are the state journal's open intents (``StateBackend.journal().pending()``).
    ``reads_ahead``: the refresh's reads of ``prev_state`` started earlier (used only where
    they asked what the refresh asks; ``planning_refresh``). ``noop_memo``: the no-op
    memo of ``prev_state``'s file (``engine/noop_memo.py``), used and kept when its rule 1
    allows.
    """
    with collector_paused():
        return _build_plan(config, prev_state, provider, options, hook, parallelism,
                           intents, reads_ahead, noop_memo)


def _plans_all(options: PlanOptions) -> bool:
    """Whether every configured resource is planned (no -target, -destroy, -refresh-only)."""
    return not (options.targets or options.destroy or options.refresh_only)


def _unmatched_replace(options: PlanOptions, prior: Mapping[ResourceAddress, ResourceState],
                       config: Configuration) -> Diagnostics:
    """-replace=ADDR naming nothing that exists would silently replace nothing: say so."""
    diags = Diagnostics()
    existing = list(prior) + [r.address for r in config.resources]
    for wanted in options.replace:
        if not any(matches(wanted, address) for address in existing):
            diags.warning("Nothing to replace",
                          f"-replace={wanted} matches no resource instance in the state or the "
                          "configuration, so nothing is replaced. Check the address with "
                          "\"albform state list\".")
    return diags


def _build_plan(config: Configuration, prev_state: State, provider: Provider,
                options: PlanOptions, hook: Hook, parallelism: int, intents: Sequence[Intent],
                reads_ahead: ReadsAhead | None = None,
                noop_memo: NoopMemo | None = None) -> tuple[Plan, Diagnostics]:
    p = Planner(config, provider, options, hook)
    if noop_memo is not None and not intents and options.refresh and _plans_all(options) \
            and isinstance(provider, CanonicalBasis):
        p.verdicts = Verdicts(noop_memo, provider)
        p.unrefreshed = {r.address: r.attributes for r in prev_state.resources}
    moved_state, moves, move_diags = apply_moves(config, prev_state)
    p.diags.extend(move_diags)
    moved_state, recovered, recovery_diags = reconcile(moved_state, intents, provider, config)
    p.diags.extend(recovery_diags)
    prior_state = moved_state
    drift: tuple[ResourceChange, ...] = ()
    if options.refresh:
        def read_in_full() -> Collection[ResourceAddress]:
            # Only marked objects can be asked without their marks (an old state has none).
            return unheld_by_state(config, p.schema) if moved_state.has_marks() else ()

        # The configuration is canonicalised meanwhile (``planning_ahead``). The helper starts
        # once the reads are out, not before (it would only delay them): at once when they
        # began earlier (``reads_ahead``), else after what to read in full is known.
        full_read = read_in_full() if reads_ahead is None else None
        p.ahead = DesiredAhead(provider, list(config.by_address().values()),
                               lambda: {r.address: r.attributes for r in moved_state.resources},
                               p.verdicts) if _plans_all(options) else None
        with p.ahead or contextlib.nullcontext():
            prior_state, refresh_diags = refresh(
                moved_state, provider, hook, parallelism,
                read_in_full() if full_read is None else full_read, reads_ahead)
        p.diags.extend(refresh_diags)
        types = {r.address.type for r in moved_state.resources}
        drift = detect_drift(moved_state, prior_state,
                             {t: s for t in types if (s := p.schema(t)) is not None})
    prior = prior_state.by_address()
    if not p.diags.has_errors() and not options.refresh_only:
        leftovers = deposed_deletes(prior_state, options)
        if options.destroy:
            _plan_destroy(p, prior_state)
        else:
            _plan_config(p, prior, moves)
            p.changes = unset_dangling_refs(p.changes, config, p.provider, leftovers)
            p.diags.extend(check_replace_referenced(p.changes, config, p.provider))
        p.diags.extend(check_prevent_destroy(p.changes, config))
        p.diags.extend(check_blast_radius(p.changes, prior_state, options))
        p.changes.extend(leftovers)
        p.diags.extend(_unmatched_replace(options, prior, config))
    output_changes = () if options.refresh_only or p.diags.has_errors() else \
        _plan_outputs(p, prev_state)
    errored = p.diags.has_errors()
    if p.verdicts is not None and not errored:
        p.verdicts.keep()
    plan = Plan(
        changes=tuple(sorted(p.changes, key=lambda c: c.address.sort_key())),
        prior_state=prior_state,
        prev_run_state=moved_state,
        configuration=config,
        options=options,
        output_changes=output_changes,
        drift=drift,
        lineage=prev_state.lineage,
        serial=prev_state.serial,
        errored=errored,
        complete=not errored and not options.targets,
        timestamp=now_rfc3339(),
        recovered=recovered,
        journal_digest=intents_digest(intents),
    )
    return plan, p.diags


# -- configured resources --------------------------------------------------------------------

def _plan_config(p: Planner, prior: Mapping[ResourceAddress, ResourceState],
                 moves: Mapping[ResourceAddress, ResourceAddress]) -> None:
    resources = p.config.by_address()
    if len(resources) != len(p.config.resources):
        p.diags.error("Duplicate resource address",
                      "Two configured resources have the same address; each must be unique.")
    # The helper thread's graph of the same resources when it made one (planning_ahead).
    walked = p.ahead.config_graph() if p.ahead is not None else None
    if walked is None:
        walked = config_graph(list(resources.values()))
    p.diags.extend(walked.diags)
    p.referring = walked.referring
    if walked.order is None:
        return
    configs, graph, order = walked.resources, walked.graph, walked.order
    selected: set[ResourceAddress] | None = None
    if p.options.targets:
        selected = _targeted(p, graph, configs, prior)
        _check_moves_targeted(p, selected, moves)
    imports = {b.to_address: b for b in p.config.imports}
    for block in p.config.imports:
        if block.to_address not in resources:
            p.diags.error("Configuration for import target does not exist",
                          f"The configuration for the given import target {block.to_address} "
                          "does not exist. All target instances must have an associated "
                          "configuration to be imported.", subject=block.source)
    for i in order:
        rc = configs[i]
        address = rc.address
        if selected is not None and address not in selected:
            # Not planned (its dependents outside the targets are not planned either);
            # its prior attributes stand in for references.
            if address in prior:
                p.planned[address] = prior[address].attributes
            continue
        if address.is_data:
            plan_data(p, rc, i)
        else:
            plan_resource(p, rc, i, prior.get(address),
                           imports.get(address) if imports else None,
                           moves.get(address) if moves else None)
    for address, rs in prior.items():
        if address in resources or address.is_data:
            continue
        if selected is not None and address not in selected:
            continue
        p.changes.append(ResourceChange(address, Action.DELETE, rs.attributes, None,
                                        reason="delete_because_no_resource_config",
                                        provider=rs.provider,
                                        previous_address=moves.get(address)))


def _targeted(p: Planner, graph: Graph[int], configs: Sequence[ResourceConfig],
              prior: Mapping[ResourceAddress, ResourceState]) -> set[ResourceAddress]:
    p.diags.warning("Resource targeting is in effect", TARGET_WARNING_DETAIL)
    roots = [i for i in graph if any(matches(t, configs[i].address) for t in p.options.targets)]
    selected = {configs[i].address for i in graph.subgraph_closure(roots)} if roots else set()
    selected.update(a for a in prior if any(matches(t, a) for t in p.options.targets))
    return selected


def _check_moves_targeted(p: Planner, selected: set[ResourceAddress],
                          moves: Mapping[ResourceAddress, ResourceAddress]) -> None:
    """A moved instance must be planned, or its state rename would be lost (Terraform
    refuses such a plan the same way)."""
    missing = sorted({a for new, old in moves.items() if new not in selected
                      for a in (old, new)}, key=lambda a: a.sort_key())
    if not missing:
        return
    options = "\n".join(f'  -target="{a}"' for a in missing)
    p.diags.error(
        "Moved resource instances excluded by targeting",
        "Resource instances in your current state have moved to new addresses in the latest "
        "configuration. albform must include those resource instances while planning in "
        "order to ensure a correct result, but your -target=... options do not fully cover "
        "all of those resource instances.\n\nTo create a valid plan, either remove your "
        "-target=... options altogether or add the following additional target options:\n"
        f"{options}\n\nNote that adding these options may include further additional "
        "resource instances in your plan, in order to respect object dependencies.")



# -- destroy ---------------------------------------------------------------------------------

def _plan_destroy(p: Planner, prior_state: State) -> None:
    for rs in prior_state.resources:
        if rs.address.is_data:
            continue
        if p.options.targets and not any(matches(t, rs.address) for t in p.options.targets):
            continue
        p.changes.append(ResourceChange(rs.address, Action.DELETE, rs.attributes, None,
                                        provider=rs.provider))


# -- outputs ---------------------------------------------------------------------------------

def _plan_outputs(p: Planner, prev_state: State) -> tuple[OutputChange, ...]:
    """Each configured output against its stored value; stored outputs no longer configured
    are deleted. A destroy plan deletes every stored output without evaluating any
    expression, as Terraform does: the objects they read are going away, so evaluating them
    could only fail (an attribute of an object planned for deletion is not known)."""
    out: list[OutputChange] = []
    names: set[str] = set()
    if not p.options.destroy:
        for oc in p.config.outputs:
            names.add(oc.name)
            out.append(_plan_output(p, oc, prev_state))
    for name, old in prev_state.outputs.items():
        if name not in names:
            out.append(OutputChange(name, Action.DELETE, old.value, None, old.sensitive))
    return tuple(sorted(out, key=lambda o: o.name))


def _plan_output(p: Planner, oc: OutputConfig, prev_state: State) -> OutputChange:
    value = resolve_deferred(oc.value, p.resolve)
    old = prev_state.outputs.get(oc.name)
    if old is None:
        return OutputChange(oc.name, Action.CREATE, None, value, oc.sensitive)
    if old.sensitive and oc.sensitive and old.value is None:
        # The state keeps no sensitive output value (state.codec): nothing to compare with,
        # and nothing downstream can read it from the state either.
        return OutputChange(oc.name, Action.NOOP, None, None, True)
    if contains_placeholder(value) or not _same_value(old.value, value):
        return OutputChange(oc.name, Action.UPDATE, old.value, value, oc.sensitive)
    return OutputChange(oc.name, Action.NOOP, old.value, old.value, oc.sensitive)


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    return coerce_equal(a, b)
