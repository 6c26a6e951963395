"""A generic directed acyclic graph over hashable vertices, and a parallel walk over it.

Edges point from a *dependent* to its *dependency* (``connect(vs, pool)``: the VS needs the
pool). ``topological_order`` lists dependencies first; ``walk`` runs each vertex once, after
all of its dependencies succeeded, on a bounded thread pool, and skips the transitive
dependents of a failed vertex so that only root causes are reported (Terraform's
``dag.Walker``). Everything here is O(V + E); the graph knows nothing about resources.
Not thread-safe for mutation: build it first, then walk it.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

V = TypeVar("V", bound=Hashable)

Direction = Literal["dependencies", "dependents"]
SortKey = Callable[[Any], Any]


class StopSignal(Protocol):
    """What ``walk`` asks whether to start more visits (``threading.Event`` is one)."""

    def is_set(self) -> bool: ...


class CycleError(ValueError):
    """The graph has at least one cycle; ``cycles`` holds each one as a closed path."""

    def __init__(self, cycles: list[list[Any]]) -> None:
        self.cycles = cycles
        shown = "; ".join(" -> ".join(map(str, c)) for c in cycles[:5])
        more = f" (and {len(cycles) - 5} more)" if len(cycles) > 5 else ""
        super().__init__(f"dependency cycle: {shown}{more}")


@dataclass(frozen=True, slots=True)
class WalkResult(Generic[V]):
    """What a walk did. ``failed`` holds root causes only; a vertex skipped because an
    upstream vertex failed is in ``skipped``; ``not_started`` is what the stop event kept
    from starting. The four are disjoint and together cover the graph."""

    succeeded: tuple[V, ...]
    failed: Mapping[V, BaseException]
    skipped: frozenset[V]
    not_started: frozenset[V]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.not_started

    @property
    def interrupted(self) -> bool:
        return bool(self.not_started)


class Graph(Generic[V]):
    """A mutable DAG. Vertices keep their insertion order, which breaks ties in every
    ordering so that results are deterministic for a deterministic construction."""

    __slots__ = ("_dependencies", "_dependents")

    def __init__(self, vertices: Iterable[V] = ()) -> None:
        self._dependencies: dict[V, dict[V, None]] = {}
        self._dependents: dict[V, dict[V, None]] = {}
        for v in vertices:
            self.add(v)

    # -- construction ---------------------------------------------------------------------
    def add(self, v: V) -> None:
        if v not in self._dependencies:
            self._dependencies[v] = {}
            self._dependents[v] = {}

    def connect(self, dependent: V, dependency: V) -> None:
        """``dependent`` runs after ``dependency``. Adds missing vertices."""
        self.add(dependent)
        self.add(dependency)
        self._dependencies[dependent][dependency] = None
        self._dependents[dependency][dependent] = None

    def remove(self, v: V) -> None:
        for dep in self._dependencies.pop(v):
            del self._dependents[dep][v]
        for dependent in self._dependents.pop(v):
            del self._dependencies[dependent][v]

    # -- queries --------------------------------------------------------------------------
    def __contains__(self, v: object) -> bool:
        return v in self._dependencies

    def __len__(self) -> int:
        return len(self._dependencies)

    def __iter__(self) -> Iterator[V]:
        return iter(self._dependencies)

    @property
    def vertices(self) -> list[V]:
        return list(self._dependencies)

    def edges(self) -> Iterator[tuple[V, V]]:
        """Every ``(dependent, dependency)`` pair."""
        for v, deps in self._dependencies.items():
            for d in deps:
                yield v, d

    def dependencies(self, v: V) -> list[V]:
        return list(self._dependencies[v])

    def dependents(self, v: V) -> list[V]:
        return list(self._dependents[v])

    # -- derived graphs -------------------------------------------------------------------
    def reverse(self) -> Graph[V]:
        """The same vertices with every edge turned round (dependents become dependencies)."""
        out: Graph[V] = Graph(self._dependencies)
        for v, d in self.edges():
            out.connect(d, v)
        return out

    def subgraph_closure(self, targets: Iterable[V],
                         direction: Direction = "dependencies") -> Graph[V]:
        """``targets`` plus everything they (transitively) depend on, or with
        ``direction="dependents"`` everything that depends on them, with the edges among
        those vertices. Unknown targets raise ``KeyError``."""
        step = self._dependencies if direction == "dependencies" else self._dependents
        keep: dict[V, None] = {}
        stack = list(targets)
        for t in stack:
            if t not in self._dependencies:
                raise KeyError(t)
        while stack:
            v = stack.pop()
            if v in keep:
                continue
            keep[v] = None
            stack.extend(n for n in step[v] if n not in keep)
        # Keep the original insertion order, not the discovery order.
        out: Graph[V] = Graph(v for v in self._dependencies if v in keep)
        for v in out:
            for d in self._dependencies[v]:
                if d in keep:
                    out.connect(v, d)
        return out

    # -- orderings ------------------------------------------------------------------------
    def _tie_breaker(self, key: SortKey | None) -> Callable[[V], Any]:
        index = {v: i for i, v in enumerate(self._dependencies)}
        if key is None:
            return index.__getitem__
        return lambda v: (key(v), index[v])

    def heights(self) -> dict[V, int]:
        """For each vertex, the number of vertices on the longest chain of dependents that
        waits on it (0 for a vertex nothing depends on). Raises ``CycleError`` on a cycle."""
        height: dict[V, int] = {}
        dependents = self._dependents
        for v in reversed(self.topological_order()):  # every dependent before its dependency
            height[v] = 1 + max((height[d] for d in dependents[v]), default=-1)
        return height

    def topological_order(self, key: SortKey | None = None) -> list[V]:
        """Dependencies first. Among vertices ready at the same time the smallest ``key``
        (default: insertion order) comes first. Raises ``CycleError`` on a cycle."""
        # The tie-breaker is a total order (insertion position last), so each vertex gets its
        # place in it once and the heap holds those ints: no tuples compared per heap step,
        # which were most of the cost at 50,000 vertices.
        vertices = list(self._dependencies)
        if key is not None:
            vertices.sort(key=self._tie_breaker(key))
        place = {v: i for i, v in enumerate(vertices)}
        waiting = [len(self._dependencies[v]) for v in vertices]
        heap = [i for i, count in enumerate(waiting) if count == 0]  # ascending: a heap
        order: list[V] = []
        while heap:
            v = vertices[heapq.heappop(heap)]
            order.append(v)
            for dependent in self._dependents[v]:
                i = place[dependent]
                waiting[i] -= 1
                if waiting[i] == 0:
                    heapq.heappush(heap, i)
        if len(order) != len(vertices):
            raise CycleError(self.find_cycles())
        return order

    def find_cycles(self) -> list[list[V]]:
        """One closed path ``[v1, v2, ..., v1]`` (following dependency edges) for every
        strongly connected component that contains a cycle, self-loops included."""
        cycles: list[list[V]] = []
        for component in self._strongly_connected():
            members = set(component)
            start = component[0]
            if len(component) == 1 and start not in self._dependencies[start]:
                continue
            cycles.append(self._cycle_through(start, members))
        return cycles

    def _cycle_through(self, start: V, members: set[V]) -> list[V]:
        # Breadth-first search inside the component for the shortest way back to start.
        parent: dict[V, V] = {}
        frontier = [start]
        while frontier:
            nxt: list[V] = []
            for v in frontier:
                for d in self._dependencies[v]:
                    if d not in members:
                        continue
                    if d == start:
                        path = [v]
                        while path[-1] != start:
                            path.append(parent[path[-1]])
                        path.reverse()
                        return [*path, start]
                    if d not in parent:
                        parent[d] = v
                        nxt.append(d)
            frontier = nxt
        raise AssertionError("a strongly connected component without a cycle")

    def _strongly_connected(self) -> list[list[V]]:
        """Tarjan's algorithm, iterative (50,000-long chains would overflow recursion).
        Components come in insertion order of their first vertex."""
        position = {v: i for i, v in enumerate(self._dependencies)}
        index: dict[V, int] = {}
        low: dict[V, int] = {}
        on_stack: set[V] = set()
        stack: list[V] = []
        components: list[list[V]] = []
        counter = 0
        for root in self._dependencies:
            if root in index:
                continue
            work: list[tuple[V, Iterator[V]]] = [(root, iter(self._dependencies[root]))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                v, children = work[-1]
                advanced = False
                for w in children:
                    if w not in index:
                        index[w] = low[w] = counter
                        counter += 1
                        stack.append(w)
                        on_stack.add(w)
                        work.append((w, iter(self._dependencies[w])))
                        advanced = True
                        break
                    if w in on_stack:
                        low[v] = min(low[v], index[w])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    component: list[V] = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    component.sort(key=position.__getitem__)
                    components.append(component)
        return components

    # -- walking --------------------------------------------------------------------------
    def walk(self, visit: Callable[[V], object], parallelism: int = 10,
             stop: threading.Event | StopSignal | None = None, key: SortKey | None = None,
             ) -> WalkResult[V]:
        """Run ``visit(v)`` for every vertex, each after all of its dependencies succeeded,
        at most ``parallelism`` at a time (``parallelism=1`` runs in the calling thread).

        ``visit`` signals failure by raising; the exception is recorded in ``failed`` and
        the vertex's transitive dependents are skipped. When ``stop`` is set, visits in
        flight finish and nothing new starts. Raises ``CycleError`` before visiting anything.

        Order: with ``parallelism=1`` ready vertices start in ``key`` order (default insertion
        order). With more, the ready vertex with the longest chain of dependents waiting on it
        starts first (``heights``), ties in ``key`` order: long chains then start early and
        chains tend to end together, instead of a few that started late running on alone at
        the end while the other workers idle (critical-path-first list scheduling; a height
        counts vertices, not what visiting them costs).
        """
        if parallelism < 1:
            raise ValueError("parallelism must be at least 1")
        tie = self._tie_breaker(key)
        if parallelism == 1:
            self.topological_order()  # detects cycles up front
            return _Walk(self, visit, parallelism, stop, tie).run()
        height = self.heights()  # detects cycles up front too
        # Each vertex's place in the whole order, once: the heap then compares ints, not
        # nested tuples (as in ``topological_order``).
        order = sorted(self._dependencies, key=lambda v: (-height[v], tie(v)))
        place = {v: i for i, v in enumerate(order)}
        return _Walk(self, visit, parallelism, stop, place.__getitem__).run()


class _Walk(Generic[V]):
    """The state of one walk. With ``parallelism > 1`` every worker schedules for itself:
    it finishes its vertex and takes the first ready one itself under one lock (often the
    next of its own chain), and another worker is woken only for work it can take. (Handing each
    finished vertex to a scheduling thread and each new one back to a pool costs two thread
    switches per vertex, which on one interpreter lock cost as much as a small visit.)"""

    def __init__(self, graph: Graph[V], visit: Callable[[V], object], parallelism: int,
                 stop: threading.Event | StopSignal | None, rank: Callable[[V], Any]) -> None:
        self.graph = graph
        self.visit = visit
        self.parallelism = parallelism
        self.stop = stop
        self.rank = rank
        self.waiting = {v: len(d) for v, d in graph._dependencies.items()}
        self.ready: list[tuple[Any, int, V]] = []
        self.counter = 0
        self.succeeded: list[V] = []
        self.failed: dict[V, BaseException] = {}
        self.skipped: set[V] = set()
        for v, count in self.waiting.items():
            if count == 0:
                self._push(v)

    def _push(self, v: V) -> None:
        self.counter += 1
        heapq.heappush(self.ready, (self.rank(v), self.counter, v))

    def _stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def run(self) -> WalkResult[V]:
        if self.parallelism == 1:
            while self.ready and not self._stopped():
                v = heapq.heappop(self.ready)[2]
                self._finish(v, self._call(v))
        else:
            self._run_threaded()
        done = set(self.succeeded) | self.failed.keys() | self.skipped
        not_started = frozenset(v for v in self.graph if v not in done)
        return WalkResult(tuple(self.succeeded), dict(self.failed),
                          frozenset(self.skipped), not_started)

    def _run_threaded(self) -> None:
        turn = threading.Condition()
        in_flight = 0

        def work() -> None:
            nonlocal in_flight
            v: V | None = None
            error: BaseException | None = None
            while True:
                with turn:
                    if v is not None:
                        in_flight -= 1
                        before = len(self.ready)
                        self._finish(v, error)
                        if len(self.ready) - before > 1:  # this worker takes one of them
                            turn.notify(len(self.ready) - before - 1)
                    while not self.ready and in_flight and not self._stopped():
                        turn.wait()
                    if not self.ready or self._stopped():
                        turn.notify_all()  # done (or stopping): let the others see it
                        return
                    v = heapq.heappop(self.ready)[2]
                    in_flight += 1
                error = self._call(v)

        workers = [threading.Thread(target=work, name=f"graph-walk_{n}")
                   for n in range(min(self.parallelism, len(self.waiting)))]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _call(self, v: V) -> BaseException | None:
        try:
            self.visit(v)
        except BaseException as exc:  # recorded as this vertex's failure, by contract
            return exc
        return None

    def _finish(self, v: V, error: BaseException | None) -> None:
        dependents = self.graph._dependents
        if error is None:
            self.succeeded.append(v)
            for d in dependents[v]:
                self.waiting[d] -= 1
                if self.waiting[d] == 0 and d not in self.skipped:
                    self._push(d)
            return
        self.failed[v] = error
        stack = list(dependents[v])
        while stack:
            d = stack.pop()
            if d not in self.skipped:
                self.skipped.add(d)
                stack.extend(dependents[d])
