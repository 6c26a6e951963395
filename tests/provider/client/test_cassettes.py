"""Conformance with recorded controller traffic: the client sends what real SDK sessions
sent (headers, cookies, CSRF, Slug, tenants) and understands real controller answers."""

from __future__ import annotations

import json

import pytest

from albform.provider.client import (
    AviClient,
    AviSession,
    AviVersionError,
    ClientConfig,
    CollectionQuery,
)

RECORDED_CSRF = "vkuFjeaUygWYDSqt4NYQEzOr97FHF4Ph"  # set by the recorded login answer
RECORDED_SID = "3egx0in0wdr2vkeii5o9ajvfeh31dke1"


def _client(replay, fast_retry, **cfg) -> AviClient:
    config = ClientConfig(controller=replay.url, password="password", **cfg)
    return AviClient(AviSession(config, retry=fast_retry))


def test_basic_vs_sequence_replays(cassette, fast_retry):
    replay = cassette("test_basic_vs")
    with _client(replay, fast_retry) as client:
        pool = client.create_object("pool", {"name": "basic_vs-pool", "servers": [
            {"ip": {"addr": "10.90.64.10", "type": "V4"}, "port": 80}]})
        vsvip = client.create_object("vsvip", {"name": "basic_vs_vip", "vip": [
            {"ip_address": {"addr": "10.90.64.123", "type": "V4"}}]})
        vs = client.create_object("virtualservice", {
            "name": "basic_vs", "services": [{"port": 80}], "vsvip_ref": vsvip["url"],
            "pool_ref": pool["url"]})
        listed = client.list_collection("virtualservice")
        by_name = client.get_by_name("virtualservice", "basic_vs")
        assert client.delete_object("virtualservice", vs["uuid"]) is True
        pool_again = client.get_by_name("pool", "basic_vs-pool")
        assert pool_again is not None
        assert client.delete_object("pool", pool_again["uuid"]) is True
        vip_again = client.get_by_name("vsvip", "basic_vs_vip")
        assert vip_again is not None
        assert client.delete_object("vsvip", vip_again["uuid"]) is True
    assert replay.misses == [] and replay.unused == []
    # Real answers parsed: server-filled defaults and refs came back.
    assert pool["servers"][0]["hostname"] == "10.90.64.10"
    assert pool["cloud_ref"].endswith("#Default-Cloud")
    assert vs["application_profile_ref"].endswith("#System-HTTP")
    assert listed.count == 1 and [o["name"] for o in listed.objects] == ["basic_vs"]
    assert listed.api_calls == 1
    assert by_name is not None and by_name["uuid"] == vs["uuid"]


def test_requests_carry_the_headers_real_sessions_sent(cassette, fast_retry):
    replay = cassette("test_basic_vs")
    with _client(replay, fast_retry) as client:
        client.create_object("pool", {"name": "basic_vs-pool"}, uuid="pool-chosen-1")
        client.list_objects("virtualservice")
    login, post, get = replay.seen[0], replay.seen[1], replay.seen[2]
    assert (login.method, login.path) == ("POST", "/login")
    assert json.loads(login.body) == {"username": "admin", "password": "password"}
    assert "X-CSRFToken" not in login.headers
    assert post.headers["X-CSRFToken"] == RECORDED_CSRF
    assert f"csrftoken={RECORDED_CSRF}" in post.headers["Cookie"]
    assert f"sessionid={RECORDED_SID}" in post.headers["Cookie"]
    assert f"avi-sessionid={RECORDED_SID}" in post.headers["Cookie"]
    assert post.headers["X-Avi-Version"] == "20.1.1"  # negotiated from the login answer
    assert post.headers["X-Avi-Tenant"] == "admin"
    assert post.headers["Referer"] == replay.url + "/"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["Slug"] == "pool-chosen-1"
    assert "X-CSRFToken" not in get.headers  # reads need no CSRF token
    assert get.params["page_size"] == "200"


def test_csrf_401_logs_in_again_and_replays(cassette, fast_retry, sleeps):
    replay = cassette("test_retry_unauth_api")
    with _client(replay, fast_retry) as client:
        tenant = client.create_object("tenant", {"name": "tenant1"})
        found = client.get_by_name("tenant", "tenant1")
        assert found is not None
        assert client.delete_object("tenant", found["uuid"])
    assert tenant["name"] == "tenant1"
    logins = [s for s in replay.seen if s.path == "/login"]
    posts = [s for s in replay.seen if s.path == "/api/tenant" and s.method == "POST"]
    assert len(logins) == 2 and len(posts) == 2
    assert posts[0].headers["Slug"] == posts[1].headers["Slug"]
    assert sleeps.waits == []  # re-login is immediate, not a backoff
    assert replay.misses == [] and replay.unused == []


def test_forced_uuid_is_sent_as_slug(cassette, fast_retry):
    replay = cassette("test_force_uuid")
    with _client(replay, fast_retry) as client:
        pool = client.create_object("pool", {"name": "basic_vs-pool-force"},
                                    uuid="pool-force-42")
        assert client.get_by_name("pool", "basic_vs-pool-force")["uuid"] == "pool-force-42"
    assert pool["uuid"] == "pool-force-42"
    assert pool["url"].endswith("/api/pool/pool-force-42#basic_vs-pool-force")


def test_tenant_header_selects_the_tenant(cassette, fast_retry):
    replay = cassette("test_multiple_tenants")
    with _client(replay, fast_retry) as client:
        client.create_object("tenant", {"name": "test-tenant"})
        client.get_by_name("tenant", "test-tenant")
        client.create_object("pool", {"name": "basic_vs-pool-test-tenant"},
                             tenant="test-tenant")
        assert client.get_by_name("pool", "basic_vs-pool-test-tenant") is None  # admin view
        found = client.get_by_name("pool", "basic_vs-pool-test-tenant", tenant="test-tenant")
    assert found is not None
    pool_posts = [s for s in replay.seen if s.method == "POST" and s.path == "/api/pool"]
    assert pool_posts[0].headers["X-Avi-Tenant"] == "test-tenant"
    assert "X-Avi-Tenant-UUID" not in pool_posts[0].headers


def test_singleton_get_and_put(cassette, fast_retry):
    replay = cassette("test_user_login")
    with _client(replay, fast_retry) as client:
        config = client.get_singleton("systemconfiguration")
        updated = client.replace_object("systemconfiguration", "", config)
    assert config["uuid"] == "default"
    assert updated["url"].endswith("/api/systemconfiguration")
    put = next(s for s in replay.seen if s.method == "PUT")
    assert put.path == "/api/systemconfiguration"


def test_pinned_version_newer_than_the_controller_is_refused(cassette, fast_retry):
    replay = cassette("test_basic_vs")
    client = _client(replay, fast_retry, api_version="30.2.1")
    with pytest.raises(AviVersionError, match="newer than controller"):
        client.list_objects("pool")
    older = _client(replay, fast_retry, api_version="18.2.8")
    assert older.list_collection("virtualservice", CollectionQuery()).count == 1
    assert replay.seen[-1].headers["X-Avi-Version"] == "18.2.8"
