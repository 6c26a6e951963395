"""Branches that need a precise answer sequence: 409 after an uncertain create, 412 on
PUT, 404 on delete, odd uuids. Served over real loopback HTTP by a scripted server."""

from __future__ import annotations

import json

import pytest

from albform.provider.client import (
    AviClient,
    AviConfigError,
    AviError,
    AviSession,
    ClientConfig,
    ObjectConflict,
    PreconditionFailed,
    Unauthorized,
)


def _client(replay, retry) -> AviClient:
    return AviClient(AviSession(ClientConfig(controller=replay.url, password="pw"),
                                retry=retry))


def test_409_after_a_failed_attempt_is_recognised_as_already_done(scripted, fast_retry):
    replay = scripted([
        ("POST", "/api/pool", 502, {"error": "Bad gateway"}),   # maybe applied
        ("GET", "/api/pool/pool-x", 404, {"error": "not yet visible"}),
        ("POST", "/api/pool", 409, {"error": "Pool with this Name and Tenant ref already "
                                             "exists."}),
        ("GET", "/api/pool/pool-x", 200, {"uuid": "pool-x", "name": "p"}),
    ])
    with _client(replay, fast_retry) as client:
        created = client.create_object("pool", {"name": "p"}, uuid="pool-x")
    assert created == {"uuid": "pool-x", "name": "p"}
    assert replay.misses == [] and replay.unused == []


def test_409_after_a_failed_attempt_for_another_object_is_a_conflict(scripted, fast_retry):
    replay = scripted([
        ("POST", "/api/pool", 503, {"error": "INITIALIZING"}),
        ("GET", "/api/pool/pool-y", 404, {"error": "Pool object not found"}),
        ("POST", "/api/pool", 409, {"error": "Pool with this Name and Tenant ref already "
                                             "exists."}),
        ("GET", "/api/pool/pool-y", 404, {"error": "Pool object not found"}),
    ])
    with _client(replay, fast_retry) as client, pytest.raises(ObjectConflict) as conflict:
        client.create_object("pool", {"name": "p"}, uuid="pool-y")
    assert "already exists" in conflict.value.detail
    assert replay.misses == [] and replay.unused == []


def test_first_attempt_409_is_not_looked_into(scripted, fast_retry):
    replay = scripted([("POST", "/api/pool", 409, {"error": "exists"})])
    with _client(replay, fast_retry) as client, pytest.raises(ObjectConflict):
        client.create_object("pool", {"name": "p"}, uuid="pool-z")
    assert [s.method for s in replay.seen if s.path.startswith("/api")] == ["POST"]


def test_412_re_reads_and_rebases_the_body(scripted, fast_retry):
    replay = scripted([
        ("PUT", "/api/vsvip/vsvip-1", 412, {"error": "Need to reload object data VsVip"}),
        ("GET", "/api/vsvip/vsvip-1", 200, {"uuid": "vsvip-1", "name": "v", "_last_modified":
                                            "2"}),
        ("PUT", "/api/vsvip/vsvip-1", 200, {"uuid": "vsvip-1", "name": "v2"}),
    ])
    seen_fresh = []

    def rebase(fresh, body):
        seen_fresh.append(fresh)
        return {**body, "_last_modified": fresh["_last_modified"]}

    with _client(replay, fast_retry) as client:
        result = client.replace_object("vsvip", "vsvip-1", {"name": "v2"}, rebase=rebase)
    assert result["name"] == "v2"
    assert seen_fresh == [{"uuid": "vsvip-1", "name": "v", "_last_modified": "2"}]
    puts = [s for s in replay.seen if s.method == "PUT"]
    assert json.loads(puts[1].body) == {"name": "v2", "_last_modified": "2"}


def test_412_that_persists_is_raised(scripted, fast_retry):
    steps = []
    for _ in range(3):
        steps += [("PUT", "/api/pool/p-1", 412, {"error": "reload"}),
                  ("GET", "/api/pool/p-1", 200, {"uuid": "p-1"})]
    steps.append(("PUT", "/api/pool/p-1", 412, {"error": "reload"}))
    replay = scripted(steps)
    with _client(replay, fast_retry) as client, pytest.raises(PreconditionFailed):
        client.replace_object("pool", "p-1", {"name": "p"})
    assert replay.unused == []


def test_odd_uuids_cannot_reach_other_endpoints(scripted, fast_retry):
    replay = scripted([("GET", "/api/pool/a%2Fb%3Fc", 404, {"error": "not found"})])
    with _client(replay, fast_retry) as client:
        assert client.get_object("pool", "a/b?c") is None
        with pytest.raises(AviError, match="no uuid"):
            client.get_object("pool", "")


def test_login_falls_back_to_a_form_body_and_can_use_a_token(scripted, fast_retry):
    replay = scripted([("GET", "/api/pool", 200, {"count": 0, "results": []})])
    replay.login_answers.append({"status": {"code": 415}, "headers": {},
                                 "body": {"string": '{"error": "Unsupported media type"}'}})
    config = ClientConfig(controller=replay.url, username="robot", auth_token="tok-1")
    with AviClient(AviSession(config, retry=fast_retry)) as client:
        assert client.list_objects("pool") == []
        assert client.session.logins == 1
    first, second = (s for s in replay.seen if s.path == "/login")
    assert json.loads(first.body) == {"username": "robot", "token": "tok-1"}
    assert second.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert second.body == b"username=robot&token=tok-1"


def test_failed_login_is_reported_with_the_controller_text(scripted, fast_retry, sleeps):
    replay = scripted([])
    replay.login_answers.append({"status": {"code": 401}, "headers": {},
                                 "body": {"string": '{"error": "Invalid credentials"}'}})
    with _client(replay, fast_retry) as client, pytest.raises(Unauthorized) as failed:
        client.list_objects("pool")
    assert "Invalid credentials" in str(failed.value) and failed.value.status == 401
    assert sleeps.waits == []


def test_missing_credentials_are_reported_before_any_request(scripted, fast_retry):
    replay = scripted([])
    client = AviClient(AviSession(ClientConfig(controller=replay.url), retry=fast_retry))
    with pytest.raises(AviConfigError, match="avi_password"):
        client.list_objects("pool")
    assert replay.seen == [] and client.api_calls == 0
