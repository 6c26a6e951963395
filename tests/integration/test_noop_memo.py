"""The no-op memo (``engine/noop_memo.py``) end to end against the emulator: a re-plan of an
unchanged state and configuration takes the last plan's no-op verdicts instead of
canonicalising, and plans exactly what a plan without the memo plans; each thing a verdict
depends on, changed, makes the plan decide again: the object on the controller, the
configuration, a name resolving to another object, ``-replace``, the state file, a tampered
memo.

Every plan opens its own provider, as each CLI run does: nothing is remembered in memory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from albform.engine.addrs import ResourceAddress
from albform.engine.apply import apply_plan
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration
from albform.engine.noop_memo import noop_memo
from albform.engine.planning import build_plan
from albform.engine.state.backends.local import LocalBackend
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration
from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator.server import RunningEmulator, start_emulator
from albform.provider.factory import open_provider

CONFIG = """
resource "avi_healthmonitor" "hm" {
  name = "memo-hm"
  type = "HEALTH_MONITOR_HTTP"
}
resource "avi_pool" "by_reference" {
  name                = "memo-by-reference"
  health_monitor_refs = [avi_healthmonitor.hm.id]
}
resource "avi_pool" "by_name" {
  name                                = "memo-by-name"
  application_persistence_profile_ref = "/api/applicationpersistenceprofile?name=memo-persistence"
  lifecycle {
    ignore_changes        = [description]
    create_before_destroy = true
  }
}
resource "avi_poolgroup" "group" {
  name = "memo-group"
  members {
    pool_ref = "/api/pool?name=memo-by-name"
  }
  depends_on = [avi_pool.by_name]
}
"""
EVERY_TYPE = ["avi_healthmonitor", "avi_pool", "avi_pool", "avi_poolgroup"]


@pytest.fixture
def emulator(emulator_password: str) -> Iterator[RunningEmulator]:
    """An emulator of the test's own: the tests rename and create objects."""
    with start_emulator(password=emulator_password) as emu:
        yield emu


@pytest.fixture
def client(emulator: RunningEmulator, emulator_password: str) -> Iterator[AviClient]:
    with AviClient.connect(ClientConfig(controller=emulator.url,
                                        password=emulator_password)) as c:
        yield c


class Planning:
    """Plans and applies as separate CLI runs would: a new provider, a fresh read of the
    state file and of its memo each time."""

    def __init__(self, emulator: RunningEmulator, password: str, tmp_path: Path) -> None:
        self.args = {"avi_controller": emulator.url, "avi_password": password}
        self.workdir = tmp_path
        self.state_path = tmp_path / "terraform.tfstate"
        self.env = {"XDG_CACHE_HOME": str(tmp_path / "user-cache")}

    def config(self, text: str) -> Configuration:
        (self.workdir / "main.tf").write_text(text)
        config, diags = load_configuration(self.workdir, env={}, cache=ParseCache(None))
        assert not diags.has_errors(), [str(d) for d in diags]
        return config

    @contextmanager
    def provider(self) -> Iterator[tuple[Any, list[str]]]:
        """A provider whose ``canonicalize`` calls are listed (by type)."""
        with open_provider(self.args, workdir=self.workdir / "provider", env={}) as p:
            asked: list[str] = []
            canonicalize = p.canonicalize

            def counted(type_name: str, attributes: Any) -> Any:
                asked.append(type_name)
                return canonicalize(type_name, attributes)

            p.canonicalize = counted  # type: ignore[method-assign]
            yield p, asked

    def plan(self, config: Configuration, *, memo: bool = True,
             options: PlanOptions = PlanOptions()) -> tuple[Any, list[str]]:  # noqa: B008
        backend = LocalBackend(self.state_path)
        state = backend.read()
        assert state is not None
        used = noop_memo(self.workdir, backend.path, backend.read_sha256, self.env) \
            if memo else None
        with self.provider() as (provider, asked):
            plan, diags = build_plan(config, state, provider, options, noop_memo=used)
        assert not diags.has_errors(), [str(d) for d in diags]
        return plan, asked

    def apply(self, config: Configuration) -> None:
        backend = LocalBackend(self.state_path)
        state = backend.read()
        with self.provider() as (provider, _):
            from albform.engine.state.model import State

            plan, diags = build_plan(config, state or State(), provider)
            assert not diags.has_errors(), [str(d) for d in diags]
            outcome = apply_plan(plan, provider, backend.write)
            assert not outcome.diagnostics.has_errors(), [str(d) for d in outcome.diagnostics]


def actions(plan: Any) -> dict[str, Action]:
    return {str(c.address): c.action for c in plan.changes}


def same_plans(a: Any, b: Any) -> bool:
    """The changes of two plans, field for field (``ResourceChange`` equality)."""
    return list(a.changes) == list(b.changes) and a.drift == b.drift


@pytest.fixture
def planning(emulator: RunningEmulator, emulator_password: str, client: AviClient,
             tmp_path: Path) -> Planning:
    client.create_object("applicationpersistenceprofile",
                         {"name": "memo-persistence",
                          "persistence_type": "PERSISTENCE_TYPE_CLIENT_IP_ADDRESS"})
    p = Planning(emulator, emulator_password, tmp_path)
    p.apply(p.config(CONFIG))
    return p


def test_a_replan_takes_the_verdicts_and_plans_the_same(planning: Planning) -> None:
    config = planning.config(CONFIG)
    first, asked = planning.plan(config)
    assert set(actions(first).values()) == {Action.NOOP}
    assert sorted(asked) == EVERY_TYPE  # no memo yet
    again, asked = planning.plan(config)
    assert asked == []  # every verdict taken
    without, _ = planning.plan(config, memo=False)
    assert same_plans(again, without) and same_plans(again, first)


def test_an_object_changed_on_the_controller_is_planned_again(planning: Planning,
                                                               client: AviClient) -> None:
    config = planning.config(CONFIG)
    planning.plan(config)
    pool = client.list_objects("pool", {"name": "memo-by-reference"})[0]
    client.replace_object("pool", pool["uuid"], {**pool, "health_monitor_refs": []})
    drifted, asked = planning.plan(config)
    assert asked == ["avi_pool"]
    assert actions(drifted)['avi_pool.by_reference'] is Action.UPDATE
    without, _ = planning.plan(config, memo=False)
    assert same_plans(drifted, without)


def test_a_changed_configuration_is_planned_again(planning: Planning) -> None:
    planning.plan(planning.config(CONFIG))
    changed = planning.config(CONFIG.replace('"by_name" {', '"by_name" {\n  enabled = false'))
    plan, asked = planning.plan(changed)
    assert asked == ["avi_pool"]
    assert actions(plan)["avi_pool.by_name"] is Action.UPDATE
    # The lifecycle is part of what a verdict stands for.
    relaxed = planning.config(CONFIG.replace("[description]", "[]"))
    assert relaxed != CONFIG
    _, asked = planning.plan(relaxed)
    assert asked == ["avi_pool"]


def test_a_name_now_naming_another_object_is_planned_again(planning: Planning,
                                                           client: AviClient) -> None:
    """The verdicts depend on what names resolve to (the provider's basis): when a name
    names another object, nothing is taken from the memo."""
    config = planning.config(CONFIG)
    planning.plan(config)
    old = client.list_objects("applicationpersistenceprofile", {"name": "memo-persistence"})[0]
    client.replace_object("applicationpersistenceprofile", old["uuid"],
                          {**old, "name": "memo-persistence-old"})
    new = client.create_object("applicationpersistenceprofile",
                               {"name": "memo-persistence",
                                "persistence_type": "PERSISTENCE_TYPE_CLIENT_IP_ADDRESS"})
    plan, asked = planning.plan(config)
    assert sorted(asked) == EVERY_TYPE
    change = next(c for c in plan.changes if str(c.address) == "avi_pool.by_name")
    assert change.action is Action.UPDATE
    assert change.after["application_persistence_profile_ref"].endswith(new["uuid"])


def test_a_listed_name_naming_another_object_is_planned_again(planning: Planning,
                                                              client: AviClient) -> None:
    """The same through the refresh's own listing (pools are listed to be refreshed): the
    group's member now names the new pool, the old one is renamed back."""
    config = planning.config(CONFIG)
    planning.plan(config)
    old = client.list_objects("pool", {"name": "memo-by-name"})[0]
    client.replace_object("pool", old["uuid"], {**old, "name": "memo-by-name-old"})
    new = client.create_object("pool", {"name": "memo-by-name"})
    plan, asked = planning.plan(config)
    assert sorted(asked) == EVERY_TYPE
    assert actions(plan)["avi_pool.by_name"] is Action.UPDATE
    group = next(c for c in plan.changes if str(c.address) == "avi_poolgroup.group")
    assert group.action is Action.UPDATE
    assert group.after["members"][0]["pool_ref"].endswith(new["uuid"])


def test_replace_and_a_new_state_are_decided_again(planning: Planning) -> None:
    config = planning.config(CONFIG)
    planning.plan(config)
    wanted = ResourceAddress.parse("avi_pool.by_name")
    replaced, asked = planning.plan(config, options=PlanOptions(replace=(wanted,)))
    assert actions(replaced)["avi_pool.by_name"] is Action.CREATE_THEN_DELETE
    # What refers to the replaced object (planned after it) decides again: its ref to the
    # old object is unknown until apply.
    assert actions(replaced)["avi_poolgroup.group"] is Action.UPDATE
    assert sorted(asked) == ["avi_pool", "avi_poolgroup"]
    # An apply makes a new state, for which the memo holds no verdict.
    planning.plan(config)
    planning.apply(planning.config(CONFIG.replace('"memo-hm"', '"memo-hm-2"')))
    plan, asked = planning.plan(config)
    assert actions(plan)["avi_healthmonitor.hm"] is Action.UPDATE
    # (the pool referring to it is asked twice: ahead with the state's values, then with
    # the planned ones, planning_ahead)
    assert set(asked) == set(EVERY_TYPE) and asked.count("avi_pool") >= 2


def test_a_tampered_memo_is_not_taken(planning: Planning) -> None:
    config = planning.config(CONFIG)
    planning.plan(config)
    (memo_file,) = (planning.workdir / ".albform" / "noop-memo").iterdir()
    data = bytearray(memo_file.read_bytes())
    data[-3] ^= 1
    memo_file.write_bytes(bytes(data))
    plan, asked = planning.plan(config)
    assert sorted(asked) == EVERY_TYPE and set(actions(plan).values()) == {Action.NOOP}
