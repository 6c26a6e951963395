"""Regression guard for translating large clusters, without timing anything: the number of
Python function calls made inside the albform package by ``translate`` and
``to_configuration`` (a profile hook) must double, not quadruple, when the cluster doubles.
A per-object scan of all Services, Ingresses or objects would show up as a ratio near 4."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import albform
from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.settings import settings_from_values
from albform.modules.k8s.testing import SYNTHETIC_AVI_OBJECTS, synthetic_cluster
from albform.modules.k8s.translate import translate

PACKAGE = Path(albform.__file__).resolve().parent
COUNTED = tuple(str(PACKAGE / part) + "/" for part in ("engine", "modules"))


def _cluster(services: int, crds: bool = False) -> list[dict[str, Any]]:
    """``services`` LoadBalancer Services with EndpointSlices, one Node per five Services and
    one Ingress per two Services, over ten namespaces (one in ten with CRDs: ``crds``)."""
    return synthetic_cluster(max(services // 5, 1), services, services // 2, namespaces=10,
                             crds=crds)


@contextmanager
def _python_calls(total: list[int]) -> Iterator[None]:
    """Count calls of functions defined in albform's engine and modules, and of the
    methods dataclasses generate (file "<string>")."""
    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            filename = frame.f_code.co_filename
            if filename.startswith(COUNTED) or filename == "<string>":
                total[0] += 1

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(None)


def _translate_counted(services: int, crds: bool = False) -> tuple[int, int]:
    """(ALB objects, albform calls) for translate + to_configuration of a cluster."""
    settings, diags = settings_from_values({
        "clusterName": "c", "vipNetworkList": '[{"networkName":"vip","cidr":"10.250.0.0/16"}]',
        "shardVSSize": "SMALL"}, {}, "test")
    assert settings is not None, [str(d) for d in diags]
    objects = _cluster(services, crds)
    total = [0]
    with _python_calls(total):
        translation, diags = translate(objects, settings,
                                       ControllerFacts(avi_objects=SYNTHETIC_AVI_OBJECTS))
        config = translation.to_configuration()
    assert not list(diags), [str(d) for d in diags]
    assert all(s.status == "Accepted" for s in translation.crd_status)
    assert len(translation.crd_status) == (services // 10 + (services // 2) // 10 * 2 + 1
                                           if crds else 0)
    assert len(config.resources) == len(translation.objects)
    return len(config.resources), total[0]


def test_translation_work_grows_linearly_with_the_cluster() -> None:
    small_objects, small = _translate_counted(100)
    large_objects, large = _translate_counted(200)
    # The cluster (and its ALB objects, shared parents aside) doubles...
    assert 1.9 * small_objects < large_objects <= 2 * small_objects
    # ...and so does the work: quadratic work would come near 4x. Measured about 2.0.
    assert 1.5 * small < large < 2.2 * small, (small, large)


def test_crds_keep_translation_work_linear() -> None:
    """HostRules, HTTPRules, L4Rules and an AviInfraSetting on one object in ten: no lookup
    may scan all rules per host or pool (that would grow with the square of the cluster)."""
    small_objects, small = _translate_counted(100, crds=True)
    large_objects, large = _translate_counted(200, crds=True)
    assert 1.9 * small_objects < large_objects <= 2 * small_objects
    assert 1.5 * small < large < 2.2 * small, (small, large)
