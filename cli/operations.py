"""The plan / apply / destroy / refresh flows shared by the HCL and cluster commands.

Each flow: load the configuration, open the backend under its lock, open the provider, call one
engine function, hand the result to a view, return Terraform's exit code (0 ok, 1 error, 2
changes present under ``-detailed-exitcode``). Nothing here formats text itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from albform.cli import process_exit
from albform.cli.planfile_record import (
    backend_record,
    check_plan_workspace,
    with_plan_backend,
    with_variable_values,
    without_variable_values,
)
from albform.cli.run_memos import digest_memo, noop_memo_of
from albform.cli.shutdown import graceful_shutdown
from albform.cli.sources import ConfigSource
from albform.cli.views.diagnostics import show_diagnostics
from albform.cli.views.json_ui import JsonUI
from albform.cli.views.plan import PlanView, plan_product
from albform.cli.views.progress import ProgressView
from albform.cli.workspace import Workspace
from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Plan, PlanOptions
from albform.engine.collector import collector_paused
from albform.engine.diagnostics import Diagnostic, Diagnostics
from albform.engine.hooks import Hook
from albform.engine.planning_refresh import ReadsAhead
from albform.engine.provider import ProviderError

EXIT_OK, EXIT_ERROR = 0, 1  # 2 (changes present) is render.detailed_exit_code's
# For benchmarks/crash_harness.py only, which prices the journal against an apply without it;
# never set it otherwise: without the journal a killed apply leaves orphans.
_NO_JOURNAL = "ALBFORM_BENCHMARK_WITHOUT_JOURNAL"


@dataclass(frozen=True)
class RunArgs:
    """Options common to plan, apply and destroy (Terraform's flag names)."""

    targets: tuple[str, ...] = ()
    replace: tuple[str, ...] = ()
    refresh: bool = True
    refresh_only: bool = False
    destroy: bool = False
    out: Path | None = None
    detailed_exitcode: bool = False
    lock: bool = True
    lock_timeout: float = 0.0
    parallelism: int = 10
    # -json: plan/apply/destroy stream Terraform's machine-readable UI (views/json_ui.py);
    # drift prints its report document.
    json: bool = False
    color: bool = False
    auto_approve: bool = False
    force_deletes: bool = False
    max_delete_fraction: float | None = 0.5
    adopt: bool = False
    group_by_origin: bool = False


def _plan_options(args: RunArgs, diags: Diagnostics) -> PlanOptions:
    def parse_all(texts: tuple[str, ...], flag: str) -> tuple[ResourceAddress, ...]:
        out = []
        for text in texts:
            try:
                out.append(ResourceAddress.parse(text))
            except ValueError as exc:
                diags.append(Diagnostic.error(f"Invalid {flag} address", str(exc)))
        return tuple(out)

    return PlanOptions(
        targets=parse_all(args.targets, "-target"),
        replace=parse_all(args.replace, "-replace"),
        refresh=args.refresh, refresh_only=args.refresh_only, destroy=args.destroy,
        max_delete_fraction=args.max_delete_fraction, force=args.force_deletes,
    )


@contextlib.contextmanager
def _locked(backend: Any, operation: str, args: RunArgs) -> Iterator[None]:
    if not args.lock:
        yield
        return
    with backend.locked(operation, args.lock_timeout):
        yield


def plan_schemas(schema_of: Callable[[str], Any], plan: Plan) -> dict[str, Any]:
    """Schemas (``schema_of(type)``: the provider's) of every type the plan mentions (changes,
    drift, prior state), so renderers and the plan file can mask every sensitive value."""
    types = {c.address.type for c in plan.changes} | {c.address.type for c in plan.drift}
    for state in (plan.prior_state, plan.prev_run_state):
        if state is not None:
            types.update(r.address.type for r in state.resources)
    return {t: s for t in types if (s := schema_of(t)) is not None}


def _views(ws: Workspace, args: RunArgs, *, apply_command: str = "albform apply",
           summarize: Callable[[Any], list[str]] | None = None,
           group: Callable[[Plan], list[tuple[str, list[str]]]] | None = None,
           ) -> tuple[PlanView, Hook]:
    """The view and the progress hook: text, or with ``-json`` Terraform's streamed JSON UI
    (which starts with its ``version`` line) for every command — the plan document is
    ``show -json PLANFILE``'s."""
    ui = JsonUI() if args.json else None
    if ui is not None:
        ui.version()
    view = PlanView(color=args.color, product=plan_product(ws.env),
                    apply_command=apply_command, summarize=summarize, group=group, ui=ui)
    return view, (ui if ui is not None else ProgressView())


def run_plan(ws: Workspace, source: ConfigSource, args: RunArgs, *, apply: bool = False,
             ) -> int:
    """``plan`` (apply=False) or ``apply``/``destroy`` without a saved plan."""
    from albform.engine.planning import build_plan

    view, hook = _views(ws, args, apply_command=source.apply_command,
                        summarize=source.applied_summary,
                        group=source.change_groups if args.group_by_origin else None)
    if apply and view.ui is not None and not args.auto_approve:
        return fail("Plan file or auto-approve required",
                    "albform cannot ask for interactive approval when -json is set. You can "
                    "either apply a saved plan file, or enable the -auto-approve option.",
                    json_mode=True)
    diags = Diagnostics()
    options = _plan_options(args, diags)
    operation = "OperationTypeApply" if apply else "OperationTypePlan"
    with contextlib.ExitStack() as stack:
        # Loading, translating and planning build hundreds of thousands of acyclic objects
        # for a large cluster: the cyclic collector's scans would cost as much as the work.
        with collector_paused():
            opened = _open(ws, source, stack, diags, operation, args,
                           refresh_ahead=args.refresh)
            if opened is None:
                return EXIT_ERROR
            config, provider, backend, prev_state = (opened.config, opened.provider,
                                                     opened.backend, opened.prev_state)
            if args.adopt:
                from albform.cli.adopt import managed_elsewhere, with_adoptions

                elsewhere = managed_elsewhere(
                    ws.workspaces(config.backend),
                    ws.workspace_name if ws.state_path is None else None)
                config, _, adopt_diags = with_adoptions(
                    config, (str(r.address) for r in prev_state.resources), provider, elsewhere)
                diags.extend(adopt_diags)
            plan, plan_diags = build_plan(config, prev_state, provider, options, hook=hook,
                                          parallelism=args.parallelism,
                                          intents=backend.journal().pending(),
                                          reads_ahead=opened.reads_ahead,
                                          noop_memo=noop_memo_of(ws, backend))
            plan_diags.extend(source.check_plan(plan, options))
        # Freed one by one on return otherwise; the process is about to end (process_exit).
        process_exit.keep(config, prev_state, plan, opened)
        diags.extend(plan_diags)
        schemas = plan_schemas(provider.schema, plan)
        view.plan(plan, schemas, diags)
        if diags.has_errors() or plan.errored:
            return EXIT_ERROR
        if not apply:
            if args.out is not None:
                from albform.engine.planfile import save_plan

                save_plan(plan, ws.resolve(args.out),
                          config_source={**without_variable_values(source.to_json()),
                                         **backend_record(ws),
                                         **_recorded_reads(config)},
                          schemas=schemas)
                view.saved(args.out)
            elif not args.json and plan.has_changes():
                # Terraform prints the note only when there is something to apply.
                view.unsaved_note()
            if not args.detailed_exitcode:
                return EXIT_OK
            from albform.engine.render import detailed_exit_code

            return detailed_exit_code(plan, diags)
        if not plan.has_changes():
            if plan.records_reads():  # read marks learnt: kept without a question
                return _apply(plan, provider, backend, prev_state, args, view, hook,
                              ws.workdir, quiet=True)
            return EXIT_OK
        if not args.auto_approve and not view.confirm(destroy=args.destroy):
            view.cancelled(destroy=args.destroy)
            return EXIT_ERROR
        return _apply(plan, provider, backend, prev_state, args, view, hook, ws.workdir)


@dataclass
class _Opened:
    """What an operation works with once its inputs are loaded and its state is locked."""

    config: Any
    provider: Any
    backend: Any
    prev_state: Any
    reads_ahead: Any = None  # the refresh's reads of prev_state, started early (or None)


def _open(ws: Workspace, source: ConfigSource, stack: contextlib.ExitStack[Any],
          diags: Diagnostics, operation: str, args: RunArgs, *,
          refresh_ahead: bool = False) -> _Opened | None:
    """Load the configuration, open the provider and the backend, take the state lock and
    read the state — all released by ``stack``. None (diagnostics shown) on input errors.
    Secret digests verified or made meanwhile are remembered in ``.albform/``
    (``engine/secret_memo.py``). ``refresh_ahead`` (the caller refreshes the whole state
    next): an HCL configuration's provider, state and refresh reads are opened while its
    resources decode (``cli/opening_ahead.py``), otherwise once the state is read."""
    stack.enter_context(digest_memo(ws))
    # The embedded emulator starts up (imports, database) while the configuration loads.
    early = ws.start_emulator_early()
    if early is not None:
        stack.callback(early.abandon)  # a no-op once open_provider took it
    ahead = None
    if refresh_ahead and source.kind == "hcl":
        from albform.cli.opening_ahead import OpeningAhead

        ahead = OpeningAhead.closed_by(stack, ws, early, args.parallelism)
    config, provider = _load(ws, source, stack, diags, early, ahead)
    if diags.has_errors():
        show_diagnostics(diags, json_mode=args.json, color=args.color)
        return None
    opened = ahead.take(config, stack) if ahead is not None else None
    if opened is not None:
        provider, backend, reads = opened
    else:
        if ahead is not None and ahead.took_emulator:
            early = None  # handed to the helper, and closed with what it opened
        if provider is None:
            provider = stack.enter_context(ws.open_provider(config.provider_config, early))
        backend, reads = ws.open_backend(config.backend, provider), None
    stack.enter_context(_locked(backend, operation, args))
    notices = [Diagnostic.warning("Cleaned up after an interrupted run", text)
               for text in backend.take_notices()]
    if notices:
        show_diagnostics(notices, json_mode=args.json, color=args.color)
    prev_state = _read_state(backend)
    if reads is not None and ahead is not None:
        reads = ahead.still_current(reads, prev_state, provider)
    if reads is None and refresh_ahead:  # the refresh's reads start now, under the lock
        reads = ReadsAhead.closed_by(stack, prev_state, provider, args.parallelism)
    return _Opened(config, provider, backend, prev_state, reads)


def _recorded_reads(config: Any) -> dict[str, Any]:
    """What the plan file keeps of the live reads the configuration was made from, for
    ``show -json PLANFILE`` (``Configuration.recorded_reads``)."""
    return {"recorded_reads": dict(config.recorded_reads)} if config.recorded_reads else {}


def _load(ws: Workspace, source: ConfigSource, stack: contextlib.ExitStack[Any],
          diags: Diagnostics, early: Any = None, ahead: Any = None) -> tuple[Any, Any]:
    """Load the configuration; a source that reads facts from the controller gets the
    provider opened first (with the environment's settings; ``early``: an emulator already
    starting) and returns it for reuse. ``ahead``: an ``OpeningAhead`` to start when the
    settings are known."""
    provider = None
    if source.needs_controller:
        provider = stack.enter_context(ws.open_provider({}, early))
    config, load_diags = source.load(ws.env, provider, workspace=ws.workspace_name,
                                     settings_known=ahead.start if ahead else None,
                                     memo_dir=ws.workdir)
    diags.extend(load_diags)
    return config, provider


def run_import(ws: Workspace, source: ConfigSource, address: str, identifier: str,
               args: RunArgs) -> int:
    """``import ADDR ID``: read the existing object ``ID`` (uuid, url or name) into the state
    at ``ADDR``, which the configuration must declare; nothing remote changes (the next plan
    shows any difference between the object and its configuration)."""
    from albform.engine.state.edit import StateEditError, add_imported
    from albform.engine.state.model import ResourceState

    try:
        target = ResourceAddress.parse(address)
    except ValueError as exc:
        return fail("Invalid address", str(exc))
    diags = Diagnostics()
    with contextlib.ExitStack() as stack:
        opened = _open(ws, source, stack, diags, "OperationTypeImport", args)
        if opened is None:
            return EXIT_ERROR
        rc = opened.config.by_address().get(target)
        if rc is None:
            return fail("Configuration for import target does not exist",
                        f'The configuration does not contain "{target}". Before importing '
                        "this resource, please create its configuration, e.g.:\n\n"
                        f'resource "{target.type}" "{target.name}" {{\n  # (resource '
                        "arguments)\n}")
        click.echo(f'{target}: Importing from ID "{identifier}"...')
        found = opened.provider.import_resource(target.type, identifier)
        if found.attributes is None:
            return fail("Cannot import non-existent remote object",
                        f"While attempting to import an existing object to \"{target}\", "
                        f"the provider detected that no object exists with the given id "
                        f'"{identifier}".')
        click.echo(f"{target}: Import prepared!\n  Prepared {target.type} for import")
        try:
            state = add_imported(opened.prev_state, ResourceState(
                target, found.attributes, provider=rc.provider, mark=found.mark))
        except StateEditError as exc:
            return fail(exc.summary, str(exc))
        opened.backend.write(state)
    click.echo("\nImport successful!\n\nThe resources that were imported are shown above. "
               "These resources are now in\nyour albform state and will henceforth be managed "
               "by albform.")
    return EXIT_OK


def run_apply_saved(ws: Workspace, planfile: Path, args: RunArgs,
                    variables: Mapping[str, str] | None = None) -> int:
    """``apply PLANFILE``: reload the recorded configuration, refuse a stale plan, apply.
    ``variables`` (-var) and ``TF_VAR_*`` give back the values the plan file does not hold."""
    from albform.engine.planfile import (
        StalePlanError,
        check_inputs_unchanged,
        check_plan_fresh,
        load_plan,
    )

    saved = load_plan(ws.resolve(planfile))
    try:
        source = ConfigSource.from_json(
            with_variable_values(saved.config_source, variables or {}, ws.env))
    except ValueError as exc:
        return fail("Variable value needed", str(exc), json_mode=args.json)
    view, hook = _views(ws, args, apply_command=source.apply_command,
                        summarize=source.applied_summary)
    ws = with_plan_backend(ws, saved.config_source.get("backend"))
    if (elsewhere := check_plan_workspace(ws, saved.config_source.get("workspace"))):
        return fail("Saved plan is for another workspace", elsewhere, json_mode=args.json)
    diags = Diagnostics()
    with contextlib.ExitStack() as stack:
        opened = _open(ws, source, stack, diags, "OperationTypeApply", args)
        if opened is None:
            return EXIT_ERROR
        plan = dataclasses.replace(saved.plan, configuration=opened.config)
        provider, backend, prev_state = opened.provider, opened.backend, opened.prev_state
        try:
            check_inputs_unchanged(saved.inputs, opened.config)
            check_plan_fresh(plan, prev_state)
        except StalePlanError as exc:
            show_diagnostics([Diagnostic.error(exc.summary, str(exc))], json_mode=args.json)
            return EXIT_ERROR
        return _apply(plan, provider, backend, prev_state, args, view,
                      hook, ws.workdir)


def _read_state(backend: Any) -> Any:
    from albform.engine.state.model import State

    state = backend.read()
    return state if state is not None else State()


def _apply(plan: Plan, provider: Any, backend: Any, prev_state: Any, args: RunArgs,
           view: PlanView, hook: Hook, workdir: Path, *, quiet: bool = False) -> int:
    """Apply ``plan`` and report it; ``quiet``: a plan with no change to show (the view has
    said so) whose refreshed state is saved all the same (``Plan.records_reads``)."""
    from albform.engine.apply import apply_plan

    # apply_plan hands over states with the prior lineage and the next serial each time.
    with graceful_shutdown() as stop:
        outcome = apply_plan(plan, provider, backend.write, hook=hook,
                             parallelism=args.parallelism, stop=stop,
                             journal=None if _NO_JOURNAL in os.environ else backend.journal(),
                             prepare=backend.prepare)
    process_exit.keep(outcome)
    show_diagnostics(outcome.diagnostics, json_mode=args.json, color=args.color)
    if outcome.persist_failed:
        _save_errored(outcome.state, provider, workdir, args)
    if outcome.diagnostics.has_errors() or outcome.interrupted:
        # As Terraform: no "Apply complete!" after a failure (wrappers read it as success);
        # the errors above and the saved state tell what was done.
        return EXIT_ERROR
    if not quiet:
        view.applied(outcome, destroy=args.destroy)
    return EXIT_OK


def _save_errored(state: Any, provider: Any, workdir: Path, args: RunArgs) -> None:
    """The backend refused the final state: keep it in errored.tfstate so that nothing
    created is forgotten (Terraform's recovery file; push it back with the backend fixed)."""
    from albform.cli.workspace import ProviderSchemas
    from albform.engine.state.backends.local import save_errored_state

    path = save_errored_state(state, workdir, schemas=ProviderSchemas(provider))
    show_diagnostics([Diagnostic.error(
        "Failed to persist state to backend",
        f"The error above shows why the state could not be saved. albform wrote the state "
        f"to {path} instead, so no object it created is forgotten. Fix the backend, then "
        "store that file as the state (e.g. copy it over a local state file).")],
        json_mode=args.json, color=args.color)


def fail(summary: str, detail: str = "", *, json_mode: bool = False) -> int:
    show_diagnostics([Diagnostic.error(summary, detail)], json_mode=json_mode)
    return EXIT_ERROR


def run_drift(ws: Workspace, source: ConfigSource, args: RunArgs, report: Path | None) -> int:
    """Refresh every managed object and report what changed outside albform.

    Exit codes follow ``-detailed-exitcode``: 0 in sync, 1 errors (an object that could not be
    read is an alert, never "in sync"), 2 drift found (or, for GSLB, a member down). The state
    is not written.
    """
    import json

    from albform.engine.drift import DriftReport
    from albform.engine.planning import build_plan, now_rfc3339

    diags = Diagnostics()
    started = now_rfc3339()
    with contextlib.ExitStack() as stack:
        opened = _open(ws, source, stack, diags, "OperationTypeRefresh", args)
        if opened is None:
            return EXIT_ERROR
        config, provider, prev_state = opened.config, opened.provider, opened.prev_state
        plan, plan_diags = build_plan(config, prev_state, provider,
                                      PlanOptions(refresh_only=True),
                                      parallelism=args.parallelism)
        schemas = plan_schemas(provider.schema, plan)
        health = _runtime_health(source, provider, plan.prior_state)
        unmanaged, unmanaged_alerts = _unmanaged(provider, prev_state)
        process_exit.keep(config, prev_state, plan)
    alerts = [f"{d.address}: {d.summary}" if d.address else d.summary
              for d in plan_diags if d.is_error] + unmanaged_alerts
    drift = DriftReport.from_changes(prev_state, plan.drift, schemas, alerts=alerts,
                                     started=started, finished=now_rfc3339(),
                                     scope={"source": source.kind, **dict(source.params)},
                                     health=health, unmanaged=unmanaged)
    document = drift.to_json()
    if report is not None:
        ws.resolve(report).write_text(json.dumps(document, indent=2) + "\n")
    if args.json:
        click.echo(json.dumps(document))
    else:
        click.echo(drift.render_text(color=args.color), nl=False)
    return drift.exit_code()


def _unmanaged(provider: Any, state: Any) -> tuple[Any, list[str]]:
    """Objects with the state's ownership markers that it does not hold (the Avi provider
    finds them; another provider has no markers to look by). A failed listing is an alert."""
    from albform.provider.resources.provider import AviProvider
    from albform.provider.resources.unmanaged import find_unmanaged

    if not isinstance(provider, AviProvider):
        return None, []
    try:
        return find_unmanaged(provider, state), []
    except ProviderError as exc:
        return None, [f"looking for unmanaged objects: {exc}"]


def _runtime_health(source: ConfigSource, provider: Any, refreshed: Any) -> list[str]:
    """GSLB sources: each managed GslbService's member health from the leader's runtime
    answer (modules/gslb/health.py decides what is unhealthy)."""
    if source.kind != "gslb" or refreshed is None:
        return []
    from albform.modules.gslb.health import member_findings

    findings: list[str] = []
    for resource in refreshed.resources:
        if resource.address.type == "avi_gslbservice" and not resource.address.is_data:
            runtime = provider.read_runtime(resource.address.type, resource.attributes)
            findings += member_findings(str(resource.address), runtime)
    return findings


__all__ = ["RunArgs", "fail", "plan_schemas", "run_apply_saved", "run_drift", "run_import",
           "run_plan"]
