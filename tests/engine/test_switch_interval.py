"""``quick_switches``: the interval is short inside the block (the apply's walk included) and
restored when the last overlapping block ends, whichever thread ends last."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import Any

from albform.engine.apply import apply_plan
from albform.engine.changes import PlanOptions
from albform.engine.config import Configuration
from albform.engine.planning import build_plan
from albform.engine.provider import ApplyResult
from albform.engine.state.model import State
from albform.engine.switch_interval import WALK_SWITCH_S, quick_switches
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import res


def test_blocks_overlapping_across_threads_restore_the_interval_at_the_last_exit() -> None:
    before = sys.getswitchinterval()
    inner_entered, outer_may_leave = threading.Event(), threading.Event()
    seen: list[float] = []

    def other() -> None:
        with quick_switches():
            inner_entered.set()
            assert outer_may_leave.wait(timeout=60)
        seen.append(sys.getswitchinterval())  # the main thread's block is still open

    with quick_switches():
        assert sys.getswitchinterval() == min(before, WALK_SWITCH_S)
        thread = threading.Thread(target=other)
        thread.start()
        assert inner_entered.wait(timeout=60)
        outer_may_leave.set()
        thread.join()
        assert seen == [min(before, WALK_SWITCH_S)]
    assert sys.getswitchinterval() == before


def test_the_apply_walk_runs_with_quick_switches() -> None:
    before = sys.getswitchinterval()
    seen: list[float] = []

    class Recording(FakeProvider):
        def create(self, type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
            seen.append(sys.getswitchinterval())
            return super().create(type_name, planned)

    provider = Recording()
    config = Configuration(resources=tuple(res(f"fake_pool.p{i}", name=f"p{i}")
                                           for i in range(4)))
    plan, diags = build_plan(config, State(), provider, PlanOptions())
    assert not diags.has_errors(), diags
    apply_plan(plan, provider, lambda state: None, parallelism=2)
    assert seen == [min(before, WALK_SWITCH_S)] * 4
    assert sys.getswitchinterval() == before
