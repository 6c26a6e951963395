"""Fixtures: one loopback emulator per test module, an AviProvider connected to it.

``SimpleApi`` is test scaffolding only — a minimal ``requests`` session implementing the
``ControllerApi`` seam (login, CSRF, tenant headers, paging, call counting, no retries) — used
while ``albform.provider.client`` is not available; when it is, the fixtures connect through
``client_api.ClientApi`` over the real client instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import requests

from albform.engine.provider import ProviderError
from albform.provider.emulator.server import RunningEmulator, start_emulator
from albform.provider.resources.api import DEFAULT_TENANT, ControllerApi, Tenant
from albform.provider.resources.provider import AviProvider
from albform.provider.schema.table import load_table

PASSWORD = "test-password"
VERSION = "30.2.1"


class SimpleApi:
    def __init__(self, base: str, password: str = PASSWORD) -> None:
        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.calls = 0
        self.password = password
        self._login()

    @property
    def api_calls(self) -> int:
        return self.calls

    def _login(self) -> None:
        self.calls += 1
        rsp = self.session.post(f"{self.base}/login",
                                json={"username": "admin", "password": self.password},
                                timeout=30)
        rsp.raise_for_status()

    def _call(self, method: str, path: str, tenant: Tenant, **kw: Any) -> requests.Response:
        headers = {"X-Avi-Version": VERSION, "Referer": self.base, **tenant.headers(),
                   **kw.pop("headers", {})}
        if method != "GET":
            headers["X-CSRFToken"] = self.session.cookies.get("csrftoken", "")
        self.calls += 1
        url = path if path.startswith("http") else f"{self.base}{path}"
        return self.session.request(method, url, headers=headers, timeout=30, **kw)

    @staticmethod
    def _check(rsp: requests.Response) -> Any:
        if rsp.status_code >= 400:
            raise ProviderError(f"{rsp.request.method} {rsp.url}: HTTP {rsp.status_code}",
                                status=rsp.status_code, detail=rsp.text)
        return rsp.json() if rsp.content else None

    def get_object(self, objtype: str, uuid: str, *, tenant: Tenant = DEFAULT_TENANT,
                   ) -> dict[str, Any] | None:
        rsp = self._call("GET", f"/api/{objtype}/{uuid}", tenant)
        return None if rsp.status_code == 404 else self._check(rsp)

    def list_objects(self, objtype: str, params: Mapping[str, str], *,
                     tenant: Tenant = DEFAULT_TENANT) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        body = self._check(self._call("GET", f"/api/{objtype}", tenant,
                                      params={"page_size": "200", **params}))
        if isinstance(body, dict) and "results" not in body:
            return [body]  # singleton
        out.extend(body["results"])
        while body.get("next"):
            body = self._check(self._call("GET", body["next"], tenant))
            out.extend(body["results"])
        return out

    def create_object(self, objtype: str, body: Mapping[str, Any], *,
                      tenant: Tenant = DEFAULT_TENANT, uuid: str | None = None,
                      ) -> dict[str, Any]:
        headers = {"Slug": uuid} if uuid else {}
        result = self._check(self._call("POST", f"/api/{objtype}", tenant, json=dict(body),
                                        headers=headers))
        assert isinstance(result, dict)
        return result

    def replace_object(self, objtype: str, uuid: str, body: Mapping[str, Any], *,
                       tenant: Tenant = DEFAULT_TENANT) -> dict[str, Any]:
        path = f"/api/{objtype}/{uuid}" if uuid else f"/api/{objtype}"
        result = self._check(self._call("PUT", path, tenant, json=dict(body)))
        assert isinstance(result, dict)
        return result

    def delete_object(self, objtype: str, uuid: str, *,
                      tenant: Tenant = DEFAULT_TENANT) -> None:
        rsp = self._call("DELETE", f"/api/{objtype}/{uuid}", tenant)
        if rsp.status_code != 404:
            self._check(rsp)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD) as emu:
        yield emu


def connect(emu: RunningEmulator) -> ControllerApi:
    return SimpleApi(emu.url)


@pytest.fixture(scope="module")
def provider(emulator: RunningEmulator) -> AviProvider:
    return AviProvider(connect(emulator), load_table())


@pytest.fixture(scope="module")
def raw(emulator: RunningEmulator) -> SimpleApi:
    """A second connection for out-of-band edits (what another admin or AKO would do)."""
    return SimpleApi(emulator.url)
