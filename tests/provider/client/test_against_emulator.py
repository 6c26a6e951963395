"""The client against the real emulator over loopback HTTP(S), including its fault
injection: 5xx bursts, session expiry, 429 + Retry-After, slow writes, TLS."""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from albform.provider.client import (
    AviClient,
    AviSession,
    AviTlsError,
    AviTransportError,
    AviVersionError,
    BadRequest,
    ClientConfig,
    CollectionQuery,
    Forbidden,
    ObjectConflict,
    RetryPolicy,
    ServerError,
    Unauthorized,
)
from albform.provider.client.transport import HttpTransport

FaultConfig = pytest.importorskip("albform.provider.emulator").FaultConfig
PASSWORD = "s3cret-pw"


def _client(emu, retry, **cfg) -> AviClient:
    cfg.setdefault("password", PASSWORD)
    return AviClient(AviSession(ClientConfig(controller=emu.url, **cfg), retry=retry))


def _pool(name: str, addr: str = "10.0.0.1") -> dict:
    return {"name": name, "servers": [{"ip": {"addr": addr, "type": "V4"}}]}


def test_crud_round_trip(emulator, fast_retry):
    with _client(emulator, fast_retry) as client:
        created = client.create_object("pool", _pool("web"), uuid="pool-web-1")
        assert created["uuid"] == "pool-web-1" and created["default_server_port"] == 80
        fetched = client.get_object("pool", "pool-web-1")
        assert fetched is not None and fetched["name"] == "web"
        replaced = client.replace_object("pool", "pool-web-1", {**fetched,
                                                               "default_server_port": 8080})
        assert replaced["default_server_port"] == 8080
        patched = client.patch_object("pool", "pool-web-1", "add",
                                      {"servers": [{"ip": {"addr": "10.0.0.2", "type": "V4"}}]})
        assert {s["ip"]["addr"] for s in patched["servers"]} == {"10.0.0.1", "10.0.0.2"}
        assert client.delete_object("pool", "pool-web-1") is True
        assert client.get_object("pool", "pool-web-1") is None
        assert client.delete_object("pool", "pool-web-1") is False  # already gone: success


def test_paging_filters_and_call_counts(emulator, fast_retry):
    with _client(emulator, fast_retry) as client:
        uuids = [client.create_object("pool", _pool(f"p{i}"))["uuid"] for i in range(7)]
        everything = client.list_collection("pool", CollectionQuery(page_size=3))
        assert sorted(o["uuid"] for o in everything.objects) == sorted(uuids)
        assert everything.count == 7 and everything.api_calls == 3  # pages 3 + 3 + 1
        some = client.list_collection("pool", CollectionQuery(uuids=uuids[:4],
                                                              fields=("name",)))
        assert sorted(o["uuid"] for o in some.objects) == sorted(uuids[:4])
        assert all("servers" not in o for o in some.objects)
        named = client.list_collection("pool", CollectionQuery(names=("p1", "p5")))
        assert sorted(o["name"] for o in named.objects) == ["p1", "p5"]
        assert client.get_by_name("pool", "p2")["uuid"] == uuids[2]
        assert client.get_by_name("pool", "nope") is None


def test_controller_errors_carry_their_text_and_are_not_retried(emulator, fast_retry, sleeps):
    with _client(emulator, fast_retry) as client:
        client.create_object("pool", _pool("dup"))
        before = client.api_calls
        with pytest.raises(ObjectConflict) as conflict:
            client.create_object("pool", _pool("dup"))
        assert "already exists" in conflict.value.detail and conflict.value.status == 409
        assert client.api_calls - before == 1
        with pytest.raises(BadRequest) as bad:
            client.create_object("virtualservice", {
                "name": "vs", "pool_ref": "/api/pool?name=missing", "services": [{"port": 80}]})
        assert "not found" in bad.value.detail.lower()
        pool = client.get_by_name("pool", "dup")
        client.create_object("virtualservice", {"name": "vs2", "pool_ref": pool["url"],
                                                "services": [{"port": 80}]})
        with pytest.raises(Forbidden) as referenced:
            client.delete_object("pool", pool["uuid"])
        assert "referred by" in referenced.value.detail
    assert sleeps.waits == []


def test_5xx_burst_is_retried_with_backoff(emulator, sleeps):
    policy = RetryPolicy(max_attempts=6, initial_wait=0.5, max_wait=8.0, jitter=lambda: 1.0,
                         sleep=lambda s: (sleeps.waits.append(s), len(sleeps.waits) == 3
                                          and emulator.set_faults(FaultConfig())))
    with _client(emulator, policy) as client:
        client.session.login()
        emulator.set_faults(FaultConfig(error_rate=1.0, error_statuses=(500, 502, 503),
                                        path_contains="/api/pool"))
        assert client.list_objects("pool") == []
    assert sleeps.waits == [0.5, 1.0, 2.0]


def test_5xx_that_never_ends_gives_up_with_the_last_error(emulator, fast_retry, sleeps):
    with _client(emulator, fast_retry) as client:
        client.session.login()
        emulator.set_faults(FaultConfig(error_rate=1.0, error_statuses=(503,)))
        with pytest.raises(ServerError) as failed:
            client.list_objects("pool")
    assert failed.value.status == 503 and failed.value.retriable
    assert len(sleeps.waits) == fast_retry.max_attempts - 1


def test_429_honours_retry_after(emulator, sleeps):
    policy = RetryPolicy(jitter=lambda: 0.0, sleep=lambda s: (
        sleeps.waits.append(s), emulator.set_faults(FaultConfig())))
    with _client(emulator, policy) as client:
        client.session.login()
        emulator.set_faults(FaultConfig(error_rate=1.0, error_statuses=(429,), retry_after=7))
        created = client.create_object("pool", _pool("after-429"))
    assert created["name"] == "after-429"
    assert sleeps.waits == [7.0]


def test_expired_session_logs_in_again_once_for_all_threads(emulator, fast_retry):
    with _client(emulator, fast_retry) as client:
        client.list_objects("pool")
        assert client.session.logins == 1
        emulator.expire_sessions()
        errors: list[BaseException] = []

        def work(i: int) -> None:
            try:
                client.create_object("pool", _pool(f"t{i}"))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert client.session.logins == 2
        assert len(client.list_objects("pool")) == 8


def test_timeout_after_write_does_not_duplicate(emulator, fast_retry, sleeps):
    emulator.set_faults(FaultConfig(slow_write_rate=1.0, slow_write_seconds=1.0,
                                    path_contains="/api/pool"))
    with _client(emulator, fast_retry, timeout=0.3) as client:
        client.session.login()
        created = client.create_object("pool", _pool("slow"), uuid="pool-slow-1")
        emulator.set_faults(FaultConfig())
        same = client.list_objects("pool", {"name": "slow"})
    assert created["uuid"] == "pool-slow-1"
    assert [o["uuid"] for o in same] == ["pool-slow-1"]
    assert sleeps.waits  # a timed-out attempt, then verified by GET (not re-POSTed)


def test_timeout_after_write_without_slug_is_not_repeated_for_patch(emulator, fast_retry):
    with _client(emulator, fast_retry, timeout=0.3) as client:
        pool = client.create_object("pool", _pool("patchy"))
        emulator.set_faults(FaultConfig(slow_write_rate=1.0, slow_write_seconds=1.0,
                                        path_contains="/api/pool"))
        with pytest.raises(AviTransportError) as timed_out:
            client.patch_object("pool", pool["uuid"], "add",
                                {"servers": [{"ip": {"addr": "10.9.9.9", "type": "V4"}}]})
        emulator.set_faults(FaultConfig())
        after = client.get_object("pool", pool["uuid"])
    assert timed_out.value.timeout and timed_out.value.request_sent
    assert not timed_out.value.retriable
    assert [s["ip"]["addr"] for s in after["servers"]].count("10.9.9.9") == 1


def test_wrong_password_fails_once_with_a_clear_message(emulator, fast_retry, sleeps):
    client = _client(emulator, fast_retry, password="wrong")
    with pytest.raises(Unauthorized, match=r"login to .* as 'admin' failed"):
        client.list_objects("pool")
    assert client.api_calls == 1 and sleeps.waits == []


def test_version_pin_is_checked_and_gates_fields(emulator, fast_retry):
    with pytest.raises(AviVersionError):
        _client(emulator, fast_retry, api_version="99.1.1").list_objects("pool")
    with _client(emulator, fast_retry, api_version="20.1.1") as old:
        with pytest.raises(BadRequest, match="introduced in later versions"):
            old.create_object("pool", {**_pool("gated"), "append_port": "NEVER"})
        assert old.session.api_version == "20.1.1"


def test_connection_refused_is_retried_then_reported(fast_retry, sleeps):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = AviClient(AviSession(ClientConfig(controller=f"http://127.0.0.1:{port}",
                                               password="pw"),
                                  retry=fast_retry))
    with pytest.raises(AviTransportError) as refused:
        client.list_objects("pool")
    assert not refused.value.request_sent and refused.value.retriable
    assert client.api_calls == fast_retry.max_attempts
    assert len(sleeps.waits) == fast_retry.max_attempts - 1


def test_tls_is_verified_by_default(fast_retry, sleeps):
    emulator_mod = pytest.importorskip("albform.provider.emulator")
    with emulator_mod.start_emulator(tls=True, password=PASSWORD) as emu:
        with _client(emu, fast_retry, ca_bundle=str(emu.cert_path)) as trusted:
            assert trusted.list_objects("pool") == []
        with _client(emu, fast_retry) as untrusted:
            with pytest.raises(AviTlsError):
                untrusted.list_objects("pool")
            assert untrusted.api_calls == 1 and sleeps.waits == []


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_insecure_is_possible_when_asked_with_a_warning(caplog, fast_retry):
    emulator_mod = pytest.importorskip("albform.provider.emulator")
    with emulator_mod.start_emulator(tls=True, password=PASSWORD) as emu:
        with caplog.at_level(logging.WARNING, logger="albform.provider.client"):
            client = _client(emu, fast_retry, insecure=True)
        with client:
            assert client.list_objects("pool") == []
    assert any("verification is disabled" in r.getMessage() for r in caplog.records)


def test_logs_never_contain_secrets(emulator, fast_retry, caplog):
    with (caplog.at_level(logging.DEBUG, logger="albform.provider.client"),
          _client(emulator, fast_retry) as client):
        client.create_object("pool", _pool("logged"))
        emulator.expire_sessions()
        client.list_objects("pool")
        secrets = [PASSWORD, *client.session._cookies.values()]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST" in text and "/api/pool" in text
    for secret in secrets:
        assert secret not in text


def test_chaos_many_threads_no_loss_no_duplicates(emulator, sleeps):
    policy = RetryPolicy(max_attempts=10, sleep=sleeps, jitter=lambda: 0.0)
    with _client(emulator, policy) as client:
        client.session.login()
        emulator.set_faults(FaultConfig(error_rate=0.15, error_statuses=(500, 503, 429),
                                        session_expiry_rate=0.1, seed=11,
                                        path_contains="/api/pool"))
        errors: list[BaseException] = []

        def work(worker: int) -> None:
            for i in range(10):
                try:
                    client.create_object("pool", _pool(f"c{worker}-{i}"))
                except BaseException as exc:
                    errors.append(exc)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        emulator.set_faults(FaultConfig())
        names = [o["name"] for o in client.list_objects("pool")]
    assert errors == []
    assert sorted(names) == sorted(f"c{w}-{i}" for w in range(8) for i in range(10))
    assert sleeps.waits  # faults were met and retried
    assert client.session.logins > 1


class _LoginDuringAnswer(HttpTransport):
    """The interleaving behind many workers meeting one expired session: while this
    request's 401 is on its way back, another worker is already logging in again."""

    def __init__(self, emulator, config: ClientConfig) -> None:
        super().__init__(config)
        self.emulator = emulator
        self.session: AviSession | None = None
        self.other_login: threading.Thread | None = None
        self._in_login = threading.Event()
        self._answered = threading.Event()

    def send(self, method, url, **kwargs):
        if url.endswith("/login") and threading.current_thread() is self.other_login:
            self._in_login.set()  # the other worker holds the session's login lock now
            self._answered.wait(10)
        elif url.endswith("/api/pool") and self.other_login is None:
            # Another worker's request meets the expiry: the session is dropped.
            self.emulator.set_faults(FaultConfig(session_expiry_rate=1.0,
                                                 path_contains="/api/healthmonitor"))
            dropped = super().send("GET", url.replace("/api/pool", "/api/healthmonitor"),
                                   headers=kwargs["headers"])
            assert dropped.status == 401
            self.emulator.set_faults(FaultConfig())
            assert self.session is not None
            self.other_login = threading.Thread(target=self.session.login)
            self.other_login.start()
            self._in_login.wait(10)
            try:
                return super().send(method, url, **kwargs)  # 401: the session is gone
            finally:
                self._answered.set()
        return super().send(method, url, **kwargs)


def test_a_401_for_a_session_being_replaced_spends_no_relogin(emulator, fast_retry):
    config = ClientConfig(controller=emulator.url, password=PASSWORD)
    transport = _LoginDuringAnswer(emulator, config)
    # No re-login allowed: the request may only go through on the other worker's login.
    session = AviSession(config, retry=fast_retry, max_relogins=0, transport=transport)
    transport.session = session
    with AviClient(session) as client:
        session.login()
        assert client.list_objects("pool") == []
        assert transport.other_login is not None
        transport.other_login.join(10)
        assert session.logins == 2  # the first login and the other worker's, nobody else's
