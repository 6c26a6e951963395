"""Pool members as a keyed list (ip + port), ``avi_pool.ignore_servers`` and ``avi_server``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from albform.engine.diff import diff_attributes
from albform.engine.provider import ReadRequest
from albform.provider.resources.provider import AviProvider


def empty_plan(provider: AviProvider, type_name: str, config: dict[str, Any],
               state: Any) -> None:
    desired = provider.canonicalize(type_name, config)
    assert diff_attributes(provider.schema(type_name), desired, state) == ()


def test_server_order_and_port_spelling_are_not_changes(provider: AviProvider) -> None:
    config = {"name": "keyed", "servers": [
        {"ip": [{"addr": "10.4.0.10", "type": "V4"}], "port": "80"},
        {"ip": [{"addr": "10.4.0.9", "type": "V4"}], "port": "80"},
        {"ip": [{"addr": "10.4.0.9", "type": "V4"}], "port": "8080"}]}
    state = provider.create("avi_pool", provider.canonicalize("avi_pool", config)).attributes
    try:
        reordered = {**config, "servers": list(reversed(config["servers"]))}
        empty_plan(provider, "avi_pool", reordered, state)
        one_more = {**config, "servers": [*config["servers"],
                                          {"ip": {"addr": "10.4.0.1", "type": "V4"}}]}
        changes = diff_attributes(provider.schema("avi_pool"),
                                  provider.canonicalize("avi_pool", one_more), state)
        assert changes and all(c.path[0] == "servers" for c in changes)
    finally:
        provider.delete("avi_pool", state)


def test_avi_server_members_next_to_foreign_ones(provider: AviProvider, raw: Any) -> None:
    pool_config = {"name": "members", "ignore_servers": "true", "description": "v1",
                   "servers": [{"ip": {"addr": "10.9.9.9", "type": "V4"}}]}
    pool = provider.create("avi_pool", provider.canonicalize("avi_pool", pool_config))
    pool_state = pool.attributes
    assert pool_state["ignore_servers"] is True and "servers" not in pool_state
    body = raw.get_object("pool", pool_state["uuid"])
    raw.replace_object("pool", pool_state["uuid"], {**body, "servers": [
        {"ip": {"addr": "10.5.0.200", "type": "V4"}, "port": 9000}]})  # someone else's
    configs = [{"pool_ref": "/api/pool?name=members", "ip": f"10.5.0.{i}", "port": "8080",
                "ratio": str(i)} for i in range(1, 6)]
    with ThreadPoolExecutor(5) as workers:
        states = list(workers.map(
            lambda c: provider.create("avi_server", provider.canonicalize("avi_server", c))
            .attributes, configs))
    try:
        for config, state in zip(configs, states, strict=True):
            assert state["id"] == f"{pool_state['uuid']}:{config['ip']}:8080"
            empty_plan(provider, "avi_server", config, state)
            empty_plan(provider, "avi_server", config,
                       provider.read(ReadRequest("avi_server", state)).attributes)
        bulk = provider.read_many([ReadRequest("avi_server", st, key=i)
                                   for i, st in enumerate(states)])
        assert bulk.api_calls == 1  # one GET of the pool for all its members
        assert [bulk.results[i].attributes for i in range(5)] == states
        # The pool itself plans no change although its members moved under it ...
        refreshed = provider.read(ReadRequest("avi_pool", pool_state)).attributes
        assert refreshed is not None and len(refreshed["servers"]) == 6
        empty_plan(provider, "avi_pool", pool_config, refreshed)
        # ... and updating it keeps every member.
        updated = provider.update("avi_pool", refreshed, provider.canonicalize(
            "avi_pool", {**pool_config, "description": "v2"})).attributes
        assert updated["description"] == "v2" and len(updated["servers"]) == 6
        # Change one member in place, delete another.
        changed = {**configs[0], "ratio": "20", "enabled": "false"}
        after = provider.update("avi_server", states[0],
                                provider.canonicalize("avi_server", changed)).attributes
        assert after["ratio"] == 20 and after["enabled"] is False
        provider.delete("avi_server", states[1])
        addrs = sorted(s["ip"]["addr"] for s in raw.get_object("pool",
                                                               pool_state["uuid"])["servers"])
        assert addrs == ["10.5.0.1", "10.5.0.200", "10.5.0.3", "10.5.0.4", "10.5.0.5"]
        imported = provider.import_resource("avi_server", "members:10.5.0.3:8080")
        assert imported.attributes == provider.read(ReadRequest("avi_server",
                                                                states[2])).attributes
        assert provider.read(ReadRequest("avi_server", states[1])).attributes is None
    finally:
        for state in states:
            provider.delete("avi_server", state)
        provider.delete("avi_pool", pool_state)
    assert provider.read(ReadRequest("avi_server", states[0])).attributes is None
