"""The resolver's record of the names it answered (``RefResolver.answers``), the no-op memo's
basis (``engine/noop_memo.py``), and ``still_answer``: a later run's check that each name
still resolves so, answered as ``lookup`` would — most from a collection listing's index —
and failing as soon as one name resolves otherwise or was answered two ways."""

from __future__ import annotations

from typing import Any

import pytest

from albform.provider.client import AviClient
from albform.provider.resources import resolver as resolver_module
from albform.provider.resources.api import Tenant
from albform.provider.resources.resolver import INDEX_AFTER, RefResolver, Scope

N = INDEX_AFTER * 3


def scope_of(tenant: Tenant, cloud: str | None) -> Scope:
    return Scope(tenant, cloud)


@pytest.fixture(scope="module")
def pools(raw: AviClient) -> dict[str, str]:
    return {f"ans-pool-{i}": str(raw.create_object("pool", {"name": f"ans-pool-{i}"})["uuid"])
            for i in range(N)}


class Lookups(RefResolver):
    """A resolver counting the names ``still_answer`` leaves to ``lookup``."""

    asked = 0

    def lookup(self, ref: Any, scope: Scope = resolver_module.DEFAULT_SCOPE) -> str | None:
        self.asked += 1
        return super().lookup(ref, scope)


def answered(raw: AviClient, names: list[str]) -> list[Any]:
    resolver = RefResolver(raw)
    for name in names:
        resolver.canonical(f"/api/pool?name={name}", "pool")
    resolver.canonical("/api/pool/7f3c6b2e-0000-4000-8000-000000000000", "pool")  # by uuid
    return resolver.answers()


def test_the_answers_are_the_names_and_still_answer_in_a_later_run(
        raw: AviClient, pools: dict[str, str]) -> None:
    names = [*pools, "ans-never-created"]
    answers = answered(raw, names)
    # Refs by uuid depend on no fact; a name that resolves to nothing is an answer too.
    assert {(a[1], a[-1]) for a in answers} == {**pools, "ans-never-created": None}.items()
    later = Lookups(raw)
    assert later.still_answer(answers, scope_of)
    # After a few names asked one by one, the collection's listing answers the rest.
    assert later.asked <= INDEX_AFTER + 1
    assert sorted(later.answers()) == sorted(answers)


def test_a_name_naming_another_object_or_a_new_one_does_not_still_answer(
        raw: AviClient, pools: dict[str, str]) -> None:
    answers = answered(raw, [*pools, "ans-created-later"])
    name = "ans-pool-7"
    old = raw.list_objects("pool", {"name": name})[0]
    raw.replace_object("pool", old["uuid"], {**old, "name": name + "-old"})
    raw.create_object("pool", {"name": name})
    try:
        assert not RefResolver(raw).still_answer(answers, scope_of)
    finally:
        raw.delete_object("pool", raw.list_objects("pool", {"name": name})[0]["uuid"])
        raw.replace_object("pool", old["uuid"], {**old, "name": name})
    assert RefResolver(raw).still_answer(answers, scope_of)
    made = raw.create_object("pool", {"name": "ans-created-later"})
    try:
        assert not RefResolver(raw).still_answer(answers, scope_of)
    finally:
        raw.delete_object("pool", made["uuid"])


def test_a_name_answered_two_ways_in_one_run_never_still_answers(
        raw: AviClient, pools: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = RefResolver(raw)
    for name in pools:  # the collection gets listed
        resolver.canonical(f"/api/pool?name={name}", "pool")
    assert resolver.canonical("/api/pool?name=ans-twice", "pool") == "/api/pool?name=ans-twice"
    made = raw.create_object("pool", {"name": "ans-twice"})
    try:
        monkeypatch.setattr(resolver_module, "LISTING_TTL_S", 0.0)  # the listing expires
        assert resolver.canonical("/api/pool?name=ans-twice", "pool").endswith(made["uuid"])
        monkeypatch.undo()
        # Forms made in that run used either answer: none may be reused, whatever the name
        # resolves to now.
        assert not RefResolver(raw).still_answer(resolver.answers(), scope_of)
    finally:
        raw.delete_object("pool", made["uuid"])
