"""Shard hashing and EVH name encoding against the spec's cross-check values
(docs/ako-translation.md §2.2, §3, 9.3), which come from AKO's own test expectations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.modules.k8s.hashing import fnv1a_32, shard_bucket
from albform.modules.k8s.naming import Namer
from albform.modules.k8s.settings import AkoSettings


def test_fnv1a_reference_value() -> None:
    assert fnv1a_32("foo.com") == 1101858200
    assert fnv1a_32("") == 0x811C9DC5


@pytest.mark.parametrize(("host", "size", "bucket"), [
    ("foo.com", 8, 0), ("noo.com", 8, 0), ("bar.com", 8, 1), ("baz.com", 8, 1),
    ("xyz.com", 8, 3), ("test.com", 8, 2), ("abc.com", 8, 4), ("abc.com", 4, 0),
    ("foo.avi.internal", 8, 6), ("foo.avi.internal", 4, 2), ("bar.avi.internal", 8, 1),
    ("my-ingress.default.com", 8, 5), ("anything", 1, 0),
])
def test_spec_shard_cross_check(host: str, size: int, bucket: int) -> None:
    assert shard_bucket(host, size) == bucket


@given(st.text(), st.sampled_from([1, 4, 8]))
def test_bucket_is_modulo_of_the_hash(host: str, size: int) -> None:
    # Mixed-case and non-ASCII hosts included: the host is hashed as written, UTF-8.
    assert shard_bucket(host, size) == fnv1a_32(host) % size


def test_evh_encode_worked_values() -> None:
    names = Namer(AkoSettings(cluster_name="cluster", enable_evh=True))
    assert names.evh_vs("foo.com") == "cluster--532fd312059d5096118cb0bc3d1135a36cc4f826"
    assert names.host_policy("default", "foo.com") == \
        "cluster--55aaae53d1d233409164e7b03b646f7284e86d88"
    assert names.encode("cluster--foo.com-L7-dedicated") == \
        "cluster--fc94484f7312a22cfb5bcc517b05649e256c24a8"
    assert names.l4_vs("red-ns", "svc1") == "cluster--6a0f55a457e5ebdc5653e552887d80c566d91fb2"
    # Shared parents are never encoded.
    assert names.evh_shard_vs(0) == "cluster--Shared-L7-EVH-0"


def test_sni_names_are_not_encoded() -> None:
    names = Namer(AkoSettings(cluster_name="cluster"))
    assert names.sni_vs("foo.com") == "cluster--foo.com"
    assert names.l7_insecure_pool("foo.com", "/foo/bar", "default", "ing") == \
        "cluster--foo.com_foo_bar-default-ing"
    assert names.sni_pool("ing", "default", "foo.com", "/foo") == "cluster--default-foo.com_foo-ing"
    assert names.dedicated_vs("foo.com") == "cluster--foo.com-L7-dedicated"
    assert names.l4_pool("red-ns", "testsvc", "TCP", 8080) == "cluster--red-ns-testsvc-TCP-8080"
