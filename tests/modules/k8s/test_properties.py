"""Properties of ``translate``: deterministic and order-independent, and renaming a namespace
changes exactly the object names that contain it."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.settings import settings_from_values
from albform.modules.k8s.translate import translate

# Identifiers from an alphabet that cannot spell the namespaces renamed below.
IDENT = st.text(alphabet="abcxyz0123", min_size=1, max_size=6).map(lambda s: "a" + s)
NAMESPACES = st.sampled_from(["nsold", "team1", "team2"])


@st.composite
def clusters(draw: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = [
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "avi", "annotations": {
             "ingressclass.kubernetes.io/is-default-class": "true"}},
         "spec": {"controller": "ako.vmware.com/avi-lb"}}]
    names: set[tuple[str, str]] = set()
    for _ in range(draw(st.integers(0, 5))):
        ns, name = draw(NAMESPACES), draw(IDENT)
        if (ns, name) in names:
            continue
        names.add((ns, name))
        ports = sorted(set(draw(st.lists(st.integers(1, 9000), min_size=1, max_size=3))))
        objects.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": name, "namespace": ns},
                        "spec": {"type": draw(st.sampled_from(["LoadBalancer", "ClusterIP"])),
                                 "ports": [{"port": p, "targetPort": p} for p in ports]}})
        objects.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                        "metadata": {"name": name + "-1", "namespace": ns,
                                     "labels": {"kubernetes.io/service-name": name}},
                        "ports": [{"port": p} for p in ports],
                        "endpoints": [{"addresses": [f"10.0.{i}.{j}"],
                                       "conditions": {"ready": draw(st.booleans())}}
                                      for i in range(2) for j in range(draw(st.integers(0, 2)))]})
    services = sorted(names)
    for i in range(draw(st.integers(0, 4))):
        if not services:
            break
        ns, svc = draw(st.sampled_from(services))
        hosts = draw(st.lists(IDENT.map(lambda h: h + ".test"), min_size=1, max_size=3,
                              unique=True))
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                        "metadata": {"name": f"ing{i}", "namespace": ns},
                        "spec": {"rules": [{"host": h, "http": {"paths": [
                            {"path": "/" + draw(IDENT), "pathType": "Prefix",
                             "backend": {"service": {"name": svc, "port": {"number": 1}}}}]}}
                            for h in hosts]}})
    return objects


def _settings(evh: bool = False) -> Any:
    s, diags = settings_from_values({"clusterName": "c", "vipNetworkList": "[]",
                                     "enableEVH": str(evh).lower()}, {}, "t")
    assert s is not None, diags
    return s


def _dump(objects: list[dict[str, Any]], evh: bool = False) -> str:
    translation, _ = translate(objects, _settings(evh), ControllerFacts())
    return json.dumps(translation.to_json(), sort_keys=False)


@given(clusters(), st.booleans(), st.randoms(use_true_random=False))
def test_translation_is_deterministic_and_order_independent(
        objects: list[dict[str, Any]], evh: bool, rnd: random.Random) -> None:
    first = _dump(objects, evh)
    assert _dump(objects, evh) == first
    shuffled = list(objects)
    rnd.shuffle(shuffled)
    assert _dump(shuffled, evh) == first


def _rename(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: (new if k == "namespace" and v == old else _rename(v, old, new))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, old, new) for v in value]
    return value


@given(clusters())
def test_renaming_a_namespace_changes_only_names_that_contain_it(
        objects: list[dict[str, Any]]) -> None:
    before_t, _ = translate(objects, _settings(), ControllerFacts())
    after_t, _ = translate(_rename(objects, "nsold", "nsnew"), _settings(), ControllerFacts())
    before = [(o.api_type, o.name) for o in before_t.objects]
    after = [(o.api_type, o.name) for o in after_t.objects]
    assert sorted((t, n) for t, n in before if "nsold" not in n) == \
        sorted((t, n) for t, n in after if "nsnew" not in n)
    assert sorted((t, n.replace("nsold", "nsnew")) for t, n in before if "nsold" in n) == \
        sorted((t, n) for t, n in after if "nsnew" in n)
