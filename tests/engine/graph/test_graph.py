"""Graph construction, orderings, cycles and closures (the walk has its own module)."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.graph import CycleError, Graph


@st.composite
def dags(draw: st.DrawFn, max_vertices: int = 30) -> Graph[int]:
    """A random DAG: edges only point from a higher to a lower vertex number."""
    n = draw(st.integers(min_value=0, max_value=max_vertices))
    g: Graph[int] = Graph(range(n))
    if n > 1:
        pairs = draw(st.lists(st.tuples(st.integers(1, n - 1), st.integers(0, n - 2)),
                              max_size=3 * n))
        for a, b in pairs:
            if a > b:
                g.connect(a, b)
    return g


@st.composite
def digraphs(draw: st.DrawFn) -> Graph[int]:
    """Any directed graph, cycles and self-loops allowed."""
    n = draw(st.integers(min_value=1, max_value=15))
    g: Graph[int] = Graph(range(n))
    for a, b in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                              max_size=3 * n)):
        g.connect(a, b)
    return g


def test_connect_records_both_directions() -> None:
    g: Graph[str] = Graph()
    g.connect("vs", "pool")
    g.connect("vs", "vsvip")
    assert g.dependencies("vs") == ["pool", "vsvip"]
    assert g.dependents("pool") == ["vs"]
    assert len(g) == 3 and "pool" in g


def test_topological_order_dependencies_first_ties_by_key() -> None:
    g: Graph[str] = Graph(["c", "b", "a"])
    g.connect("a", "z")
    # Without a key ties go by insertion order; with a key by the key.
    assert g.topological_order() == ["c", "b", "z", "a"]
    assert g.topological_order(key=lambda v: v) == ["b", "c", "z", "a"]


def test_cycle_reported_as_closed_path() -> None:
    g: Graph[str] = Graph()
    g.connect("vs", "pool")
    g.connect("pool", "hm")
    g.connect("hm", "vs")
    g.connect("other", "vs")
    assert g.find_cycles() == [["vs", "pool", "hm", "vs"]]
    with pytest.raises(CycleError, match="vs -> pool -> hm -> vs"):
        g.topological_order()
    with pytest.raises(CycleError):
        g.walk(lambda v: None)


def test_self_loop_is_a_cycle() -> None:
    g: Graph[str] = Graph()
    g.connect("a", "a")
    assert g.find_cycles() == [["a", "a"]]


def test_remove_drops_edges() -> None:
    g: Graph[str] = Graph()
    g.connect("a", "b")
    g.connect("b", "c")
    g.remove("b")
    assert g.vertices == ["a", "c"]
    assert g.dependencies("a") == [] and g.dependents("c") == []


def test_subgraph_closure_both_directions() -> None:
    g: Graph[str] = Graph()
    g.connect("vs", "pool")
    g.connect("pool", "hm")
    g.connect("other", "hm")
    deps = g.subgraph_closure(["pool"])
    assert deps.vertices == ["pool", "hm"]
    assert list(deps.edges()) == [("pool", "hm")]
    users = g.subgraph_closure(["hm"], direction="dependents")
    assert set(users) == {"vs", "pool", "hm", "other"}
    with pytest.raises(KeyError):
        g.subgraph_closure(["missing"])


@given(dags())
def test_topological_order_respects_every_edge(g: Graph[int]) -> None:
    order = g.topological_order()
    position = {v: i for i, v in enumerate(order)}
    assert sorted(order) == sorted(g)
    for dependent, dependency in g.edges():
        assert position[dependency] < position[dependent]
    assert g.find_cycles() == []


@given(dags())
def test_reverse_turns_every_edge(g: Graph[int]) -> None:
    r = g.reverse()
    assert set(r.edges()) == {(b, a) for a, b in g.edges()}
    assert set(r) == set(g)
    # Reversing the reversed graph's order gives an order valid for the original.
    position = {v: i for i, v in enumerate(reversed(r.topological_order()))}
    for dependent, dependency in g.edges():
        assert position[dependency] < position[dependent]


@given(dags(), st.data())
def test_closure_is_closed_and_minimal(g: Graph[int], data: st.DataObject) -> None:
    if not len(g):
        return
    targets = data.draw(st.lists(st.sampled_from(g.vertices), min_size=1, max_size=3))
    closure = g.subgraph_closure(targets)
    # Closed: every dependency of a member is a member.
    for v in closure:
        assert set(g.dependencies(v)) <= set(closure)
    # Minimal: every member is reachable from a target.
    reachable = set(targets)
    for v in reversed(g.topological_order()):
        if v in reachable:
            reachable.update(g.dependencies(v))
    assert set(closure) == reachable


@given(digraphs())
def test_find_cycles_paths_are_real_cycles(g: Graph[int]) -> None:
    cycles = g.find_cycles()
    for cycle in cycles:
        assert cycle[0] == cycle[-1] and len(cycle) >= 2
        for a, b in itertools.pairwise(cycle):
            assert b in g.dependencies(a)
    # There is a topological order exactly when no cycle was found.
    try:
        g.topological_order()
        acyclic = True
    except CycleError:
        acyclic = False
    assert acyclic == (cycles == [])
    # Each vertex belongs to at most one reported cycle's component.
    seen: set[int] = set()
    for cycle in cycles:
        members = set(cycle)
        assert not members & seen
        seen |= members


def test_large_chain_orders_and_finds_no_cycle() -> None:
    # 50,000 deep: the cycle search must be iterative, the ordering linear.
    n = 50_000
    g: Graph[int] = Graph()
    for i in range(1, n):
        g.connect(i, i - 1)
    assert g.find_cycles() == []
    assert g.topological_order() == list(range(n))
    g.connect(0, n - 1)
    (cycle,) = g.find_cycles()
    assert len(cycle) == n + 1


def _reference_order(g: Graph[int], rank: dict[int, tuple[int, int]]) -> list[int]:
    """The contract spelt out slowly: take the smallest-ranked ready vertex, again and again."""
    done: set[int] = set()
    order: list[int] = []
    while len(order) < len(g):
        ready = [v for v in g if v not in done and set(g.dependencies(v)) <= done]
        v = min(ready, key=rank.__getitem__)
        done.add(v)
        order.append(v)
    return order


@given(dags(), st.randoms(use_true_random=False), st.integers(1, 4))
def test_topological_order_takes_the_smallest_ready_vertex(
        dag: Graph[int], rnd: random.Random, modulus: int) -> None:
    vertices = list(dag)
    rnd.shuffle(vertices)  # insertion order apart from the vertices' own order
    g: Graph[int] = Graph(vertices)
    for dependent, dependency in dag.edges():
        g.connect(dependent, dependency)
    inserted = {v: i for i, v in enumerate(vertices)}
    assert g.topological_order() == _reference_order(g, {v: (0, i) for v, i in inserted.items()})
    assert g.topological_order(key=lambda v: v % modulus) == _reference_order(
        g, {v: (v % modulus, i) for v, i in inserted.items()})  # ties: insertion order
