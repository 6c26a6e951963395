"""Builders for hand-made configurations, states and plans, and a recording ``persist``.

For tests that must not depend on the planner's choices (apply ordering, hooks, CLI views):
``res("fake_vs.web", pool_ref=ref("fake_pool.web"))``, ``make_plan(resources, {address:
Action})``, ``state_of(("fake_pool.web", {...}, ()))``, ``deployed_directly(config)``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, Plan, PlanOptions, ResourceChange
from albform.engine.config import Configuration, Lifecycle, OutputConfig, ResourceConfig
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.model import ResourceState, State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.values import UNKNOWN, Deferred


def addr(text: str) -> ResourceAddress:
    return ResourceAddress.parse(text)


def ref(target: str, attribute: str = "uuid") -> Deferred:
    """``<target>.<attribute>`` deferred the way a front end defers a reference."""
    a = addr(target)

    def evaluate(resolve: Any) -> Any:
        return resolve(a).get(attribute, UNKNOWN)

    return Deferred(frozenset({a}), evaluate, text=f"{target}.{attribute}")


def res(address: str, lifecycle: Lifecycle | None = None,
        depends_on: Iterable[str] = (), **attributes: Any) -> ResourceConfig:
    return ResourceConfig(addr(address), attributes, lifecycle=lifecycle or Lifecycle(),
                          depends_on=tuple(addr(d) for d in depends_on))


def make_plan(resources: Iterable[ResourceConfig], changes: dict[str, Action],
              prior: State | None = None, outputs: Iterable[OutputConfig] = (),
              *, destroy: bool = False) -> Plan:
    """A plan with the given actions (before/after left empty: apply recomputes them)."""
    prior = prior if prior is not None else State()
    return Plan(
        changes=tuple(ResourceChange(addr(a), act, None, None) for a, act in changes.items()),
        prior_state=prior, prev_run_state=prior,
        configuration=Configuration(resources=tuple(resources), outputs=tuple(outputs)),
        options=PlanOptions(destroy=destroy), lineage=prior.lineage, serial=prior.serial)


def state_of(*entries: tuple[str, dict[str, Any], tuple[str, ...]], serial: int = 3) -> State:
    """A state from ``(address, attributes, dependency addresses)`` triples."""
    return State(serial=serial).with_resources(
        ResourceState(addr(a), attrs, dependencies=tuple(addr(d) for d in deps))
        for a, attrs, deps in entries)


def permissive_schemas(config: Configuration) -> dict[str, ResourceSchema]:
    """One schema per configured type: every configured key an ``any`` attribute, plus a
    computed ``uuid`` id (a ``FakeProvider`` for front ends' real type names)."""
    keys: dict[str, set[str]] = {}
    for rc in config.resources:
        keys.setdefault(rc.type, set()).update(rc.attributes)
    return {t: ResourceSchema(t, {**{k: AttributeSchema(k, type="any") for k in sorted(ks)},
                                  "uuid": AttributeSchema("uuid", computed=True)},
                              id_attribute="uuid") for t, ks in keys.items()}


def deployed_directly(config: Configuration, provider: FakeProvider | None = None,
                      ) -> tuple[FakeProvider, State]:
    """A ``FakeProvider`` (``provider``, else one with the fake types) holding every
    configured object, created directly (far faster than an apply, for scale tests and
    benchmarks), and the state recording them; the provider's call log is then cleared.
    Objects are created in configuration order, so a referenced object must come before its
    referrers; only top-level ``Deferred`` attributes are evaluated (against the objects
    created so far)."""
    provider = provider if provider is not None else FakeProvider()
    created: dict[ResourceAddress, dict[str, Any]] = {}
    for rc in config.resources:
        attrs = {k: v.evaluate(created.__getitem__) if isinstance(v, Deferred) else v
                 for k, v in rc.attributes.items()}
        created[rc.address] = dict(provider.create(rc.type, attrs).attributes)
    state = State().with_resources(ResourceState(a, attrs) for a, attrs in created.items())
    provider.reset_calls()
    return provider, state


class RecordingPersist:
    """A ``persist`` callable keeping every state it is given; with ``fail_after=N`` the
    (N+1)th and later writes raise ``OSError`` as a full disk would. ``overlapped`` says
    whether two writes were ever in progress at once (they must not be)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.states: list[State] = []
        self.fail_after = fail_after
        self._lock = threading.Lock()
        self._active = 0
        self.overlapped = False

    def __call__(self, state: State) -> None:
        with self._lock:
            self._active += 1
            self.overlapped |= self._active > 1
        try:
            if self.fail_after is not None and len(self.states) >= self.fail_after:
                raise OSError("No space left on device")
            self.states.append(state)
        finally:
            with self._lock:
                self._active -= 1
