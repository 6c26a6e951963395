"""The parallel walk: order, exactly-once, failure skipping, stop, parallelism bound."""

from __future__ import annotations

import threading
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.graph import Graph, WalkResult


@st.composite
def dags_with_failures(draw: st.DrawFn) -> tuple[Graph[int], set[int]]:
    n = draw(st.integers(min_value=1, max_value=40))
    g: Graph[int] = Graph(range(n))
    if n > 1:
        for a, b in draw(st.lists(st.tuples(st.integers(1, n - 1), st.integers(0, n - 2)),
                                  max_size=3 * n)):
            if a > b:
                g.connect(a, b)
    failing = set(draw(st.lists(st.integers(0, n - 1), max_size=4)))
    return g, failing


class Recorder:
    """Records, under a lock, a global sequence of start/finish events."""

    def __init__(self, failing: set[int] | None = None, pause: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, int]] = []
        self.failing = failing or set()
        self.pause = pause
        self.active = 0
        self.max_active = 0

    def __call__(self, v: int) -> None:
        with self.lock:
            self.events.append(("start", v))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        if self.pause:
            time.sleep(self.pause)
        with self.lock:
            self.active -= 1
            self.events.append(("finish", v))
        if v in self.failing:
            raise RuntimeError(f"vertex {v} failed")


def downstream(g: Graph[int], roots: set[int]) -> set[int]:
    out: set[int] = set()
    stack = [d for r in roots for d in g.dependents(r)]
    while stack:
        v = stack.pop()
        if v not in out:
            out.add(v)
            stack.extend(g.dependents(v))
    return out


@settings(max_examples=40)
@given(dags_with_failures(), st.sampled_from([1, 2, 4, 8]))
def test_walk_order_once_and_failure_isolation(case: tuple[Graph[int], set[int]],
                                               parallelism: int) -> None:
    g, failing = case
    rec = Recorder(failing)
    result = g.walk(rec, parallelism=parallelism)

    started = [v for kind, v in rec.events if kind == "start"]
    assert len(started) == len(set(started)), "a vertex ran twice"
    at = {event: i for i, event in enumerate(rec.events)}
    for v in started:
        for dep in g.dependencies(v):
            # Every dependency finished (and succeeded) before v started.
            assert at[("finish", dep)] < at[("start", v)]
            assert dep not in failing

    # Root causes: failing vertices that ran; skipped: exactly their downstream closure.
    ran_failing = failing & set(started)
    assert set(result.failed) == ran_failing
    assert all(isinstance(e, RuntimeError) for e in result.failed.values())
    assert result.skipped == downstream(g, ran_failing)
    assert set(result.succeeded) == set(started) - failing
    assert set(started) | result.skipped == set(g)
    assert not result.not_started
    assert result.ok == (not ran_failing)


def test_walk_respects_parallelism_bound_and_uses_it() -> None:
    g: Graph[int] = Graph(range(24))  # all independent
    rec = Recorder(pause=0.02)
    result = g.walk(rec, parallelism=4)
    assert result.ok and len(result.succeeded) == 24
    assert rec.max_active == 4


def test_parallelism_one_runs_in_calling_thread() -> None:
    g: Graph[int] = Graph(range(3))
    threads: set[int] = set()
    g.walk(lambda v: threads.add(threading.get_ident()), parallelism=1)
    assert threads == {threading.get_ident()}


def test_stop_lets_in_flight_finish_and_starts_nothing_new() -> None:
    g: Graph[int] = Graph(range(20))
    stop = threading.Event()
    finished: list[int] = []
    both_started = threading.Barrier(2)

    def visit(v: int) -> None:
        both_started.wait(timeout=5)
        if v == 0:
            stop.set()
        else:
            stop.wait(timeout=5)  # finish only once the stop is visible to the walk
        finished.append(v)

    result = g.walk(visit, parallelism=2, stop=stop)
    assert sorted(finished) == [0, 1]
    assert set(result.succeeded) == {0, 1}
    assert result.not_started == frozenset(range(2, 20))
    assert result.interrupted and not result.ok


def test_failure_skips_dependents_but_not_other_branches() -> None:
    g: Graph[str] = Graph()
    g.connect("vs", "pool")
    g.connect("route", "vs")
    g.connect("vs2", "pool2")

    def visit(v: str) -> None:
        if v == "pool":
            raise ValueError("409 conflict")

    result = g.walk(visit, parallelism=3)
    assert list(result.failed) == ["pool"]
    assert result.skipped == {"vs", "route"}
    assert set(result.succeeded) == {"pool2", "vs2"}


def test_walk_of_50000_vertices_completes() -> None:
    # Fan-out of chains; the walk is linear, so this is quick on any machine.
    g: Graph[int] = Graph()
    for i in range(1, 50_000):
        g.connect(i, (i - 1) // 4)
    count = 0
    lock = threading.Lock()

    def visit(v: int) -> None:
        nonlocal count
        with lock:
            count += 1

    result = g.walk(visit, parallelism=4)
    assert count == 50_000 and result.ok


@settings(max_examples=30)
@given(dags_with_failures(), st.integers(0, 40), st.sampled_from([1, 3]))
def test_stop_partitions_the_graph(case: tuple[Graph[int], set[int]], stop_after: int,
                                   parallelism: int) -> None:
    g, failing = case
    stop = threading.Event()
    lock = threading.Lock()
    finished = 0
    late_starts = 0

    def visit(v: int) -> None:
        nonlocal finished, late_starts
        with lock:
            late_starts += stop.is_set()
        try:
            if v in failing:
                raise RuntimeError(v)
        finally:
            with lock:
                finished += 1
                if finished >= stop_after:
                    stop.set()

    result = g.walk(visit, parallelism=parallelism, stop=stop)
    parts = [set(result.succeeded), set(result.failed), set(result.skipped),
             set(result.not_started)]
    assert sum(map(len, parts)) == len(g) and set().union(*parts) == set(g)
    # Only visits already handed to a worker when the stop came may start after it.
    assert late_starts <= parallelism - 1
    for v in result.not_started:
        assert not any(d in result.failed for d in g.dependencies(v)), \
            "a dependant of a failure must be skipped, not left waiting"


class Released:
    """A visit that blocks until the test releases it, so that a threaded walk's choices are
    deterministic: the test releases one visit at a time and waits for the next to start, so
    exactly one worker is choosing at any moment."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.cond = threading.Condition()
        self.gates: dict[str, threading.Event] = {}
        self.all_released = False

    def __call__(self, v: str) -> None:
        with self.cond:
            gate = self.gates.setdefault(v, threading.Event())
            if self.all_released:
                gate.set()
            self.started.append(v)
            self.cond.notify_all()
        assert gate.wait(timeout=10), f"{v} was never released"

    def next_start(self, seen: int) -> str | None:
        """The vertex that starts after the first ``seen``; None if none starts in 5 s."""
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.started) > seen, timeout=5):
                return None
            return self.started[seen]

    def release(self, v: str) -> None:
        with self.cond:
            self.gates[v].set()

    def release_all(self) -> None:
        with self.cond:
            self.all_released = True
            for gate in self.gates.values():
                gate.set()


def test_threaded_walk_starts_the_longest_chain_first() -> None:
    # Four independent vertices inserted first, then a chain a1 <- a2 <- a3 <- a4. By
    # insertion order the chain would start last and run on alone at the end; started first,
    # it runs beside the independent vertices and the walk ends a round earlier.
    g: Graph[str] = Graph(["x1", "x2", "x3", "x4"])
    for dependent, dependency in [("a2", "a1"), ("a3", "a2"), ("a4", "a3")]:
        g.connect(dependent, dependency)
    visit = Released()
    results: list[WalkResult[str]] = []
    walker = threading.Thread(target=lambda: results.append(g.walk(visit, parallelism=2)),
                              daemon=True)
    walker.start()
    try:
        # Two workers start the two first vertices (which one records first is a race).
        first_two = {visit.next_start(0), visit.next_start(1)}
        assert first_two == {"a1", "x1"}
        # Then each release frees one worker, which alone chooses what starts next.
        # a4 and x4 both have nothing after them: the insertion order decides between them.
        for finished, expected in [("a1", "a2"), ("x1", "x2"), ("a2", "a3"), ("x2", "x3"),
                                   ("a3", "x4"), ("x3", "a4")]:
            seen = len(visit.started)
            visit.release(finished)
            assert visit.next_start(seen) == expected, f"after {finished}: {visit.started}"
    finally:
        visit.release_all()
        walker.join(timeout=10)
    assert not walker.is_alive() and results and results[0].ok


def test_parallelism_one_keeps_the_key_order() -> None:
    # One at a time the order changes nothing of the walk's length: the key order stays
    # (the order a reviewer reads in the plan).
    g: Graph[str] = Graph(["x1", "x2"])
    g.connect("a2", "a1")
    seen: list[str] = []
    g.walk(seen.append, parallelism=1)
    assert seen == ["x1", "x2", "a1", "a2"]


def _longest_chain_of_dependents(g: Graph[int], v: int) -> int:
    # By enumerating every path (small graphs only), independent of the implementation.
    return max((1 + _longest_chain_of_dependents(g, d) for d in g.dependents(v)), default=0)


@settings(max_examples=60)
@given(dags_with_failures())
def test_heights_are_the_longest_chains_of_dependents(case: tuple[Graph[int], set[int]]) -> None:
    g, _ = case
    small: Graph[int] = g.subgraph_closure([v for v in g if v < 14])
    heights = small.heights()
    assert heights == {v: _longest_chain_of_dependents(small, v) for v in small}
