"""A minimal cookie-session HTTP client for emulator tests (the way the SDKs talk to a
controller). Imported by the tests in this folder; conftest puts the folder on sys.path."""

from __future__ import annotations

from typing import Any

import requests

PASSWORD = "password"  # what the recorded cassettes log in with


class Client:
    """A minimal cookie-session client (the way the SDKs talk to a controller)."""

    def __init__(self, url: str, *, tenant: str = "admin", version: str | None = "20.1.1",
                 password: str = PASSWORD, verify: Any = True) -> None:
        self.url = url
        self.http = requests.Session()
        self.verify = verify  # per request: REQUESTS_CA_BUNDLE beats a session-level verify
        self.tenant = tenant
        self.version = version
        self.password = password
        self.login()

    def login(self) -> requests.Response:
        r = self.http.post(self.url + "/login",
                           data={"username": "admin", "password": self.password}, timeout=10,
                           verify=self.verify)
        assert r.status_code == 200, r.text
        return r

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), "Referer": self.url,
             "X-Avi-Tenant": self.tenant}
        if self.version:
            h["X-Avi-Version"] = self.version
        h.update(extra or {})
        return h

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                **kw: Any) -> requests.Response:
        return self.http.request(method, self.url + path, headers=self.headers(headers),
                                 timeout=kw.pop("timeout", 10), verify=self.verify, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> requests.Response:
        return self.request("POST", path, json=body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> requests.Response:
        return self.request("PUT", path, json=body, **kw)

    def patch(self, path: str, body: Any, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, json=body, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def by_name(self, obj_type: str, name: str) -> dict[str, Any]:
        r = self.get(f"/api/{obj_type}?name={name}")
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert len(results) == 1, results
        found: dict[str, Any] = results[0]
        return found
