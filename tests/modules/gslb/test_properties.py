"""Properties of the GSLB translator: the output does not depend on the order the member
clusters, their objects or the AMKO objects come in (AMKO's own order follows informer events;
a plan must not), and translating twice gives byte-identical JSON."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.modules.gslb.translate import translate

CASES = Path(__file__).parent / "cases"
COMMON = yaml.safe_load((CASES / "_common.yaml").read_text())["amko"]
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _inputs(name: str) -> tuple[dict[str, list[dict[str, object]]], list[dict[str, object]]]:
    spec = yaml.safe_load((CASES / name / "input.yaml").read_text())
    return spec.get("members") or {}, (spec.get("amko") or COMMON) + (spec.get("extra_amko") or [])


def _rendered(members: dict[str, list[dict[str, object]]], amko: list[dict[str, object]]) -> str:
    translation, diags = translate(members, amko)
    return json.dumps([translation.to_json(), sorted(str(d) for d in diags)])


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NAMES), st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_translation(name: str, rnd: object) -> None:
    members, amko = _inputs(name)
    expected = _rendered(members, amko)
    clusters = list(members.items())
    rnd.shuffle(clusters)  # type: ignore[attr-defined]
    shuffled = {}
    for cluster, objects in clusters:
        objects = list(objects)
        rnd.shuffle(objects)  # type: ignore[attr-defined]
        shuffled[cluster] = objects
    amko = list(amko)
    rnd.shuffle(amko)  # type: ignore[attr-defined]
    assert _rendered(shuffled, amko) == expected


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*path, index))
    return out


def _replaced(value: object, path: tuple[object, ...], new: object) -> object:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: _replaced(v, rest, new) if k == head else v for k, v in value.items()}
    assert isinstance(value, list)
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


JUNK = st.sampled_from([None, 0, -1, 25, "", "x", "1.1.1.1", [], ["x"], {}, {"a": 1}, True])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NAMES), st.data())
def test_malformed_input_is_diagnosed_never_a_traceback(name: str, data: st.DataObject) -> None:
    """Any one value of any input replaced by a value of the wrong type or range: translate
    returns (errors or warnings), it does not raise."""
    members, amko = _inputs(name)
    doc = {"members": members, "amko": amko}
    paths = [p for p in _paths(doc) if len(p) > 1]
    path = data.draw(st.sampled_from(paths))
    broken = _replaced(doc, path, data.draw(JUNK))
    assert isinstance(broken, dict)
    translation, _ = translate(broken["members"] if isinstance(broken["members"], dict)
                               else {}, broken["amko"] if isinstance(broken["amko"], list)
                               else [])
    json.dumps(translation.to_json())
