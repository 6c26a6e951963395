"""How to reach a controller: ``ClientConfig`` from provider arguments or ``AVI_*`` env vars.

Provider arguments are exactly those of terraform-provider-avi 30.2.x (``avi_controller``,
``avi_username``, ``avi_password``, ``avi_tenant``, ``avi_version``, ``avi_api_timeout``,
``avi_authtoken``, ``avi_csp_host``, ``avi_csp_token``), each falling back to the same env var.
albform's own connection settings exist as environment variables only, so a configuration
albform accepts is one the official provider accepts too: ``AVI_CA_BUNDLE``, ``AVI_INSECURE``
(TLS verification is on unless insecure is asked for explicitly) and
``ALBFORM_CONNECT_TIMEOUT``. Secrets (password, auth token, CSP token) never appear in
``repr``/``str``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlsplit

from albform.provider.client.errors import AviConfigError
from albform.provider.schema.official_view import EXTENSION_ENV_VARS

DEFAULT_USERNAME = "admin"
DEFAULT_TENANT = "admin"
# The newest data format this client is tested against; with no ``avi_version`` the session
# uses min(controller version, this), as AKO does.
MAX_API_VERSION = "30.2.1"

ENV_VARS = {
    "controller": "AVI_CONTROLLER", "username": "AVI_USERNAME", "password": "AVI_PASSWORD",
    "tenant": "AVI_TENANT", "api_version": "AVI_VERSION", "ca_bundle": "AVI_CA_BUNDLE",
    "insecure": "AVI_INSECURE", "auth_token": "AVI_AUTHTOKEN", "timeout": "AVI_API_TIMEOUT",
    "csp_host": "AVI_CSP_HOST", "csp_token": "AVI_CSP_TOKEN",
    "connect_timeout": "ALBFORM_CONNECT_TIMEOUT",
}
# The official provider's arguments (provider/schema/official_view.py) -> ClientConfig fields.
PROVIDER_ARGS = {
    "avi_controller": "controller", "avi_username": "username", "avi_password": "password",
    "avi_tenant": "tenant", "avi_version": "api_version", "avi_authtoken": "auth_token",
    "avi_api_timeout": "timeout", "avi_csp_host": "csp_host", "avi_csp_token": "csp_token",
}
DEFAULT_CSP_HOST = "console.cloud.vmware.com"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Connection settings. ``controller`` is ``host``, ``host:port`` or a full
    ``https://host:port`` / ``http://127.0.0.1:port`` (plain http only when spelled out)."""

    controller: str
    username: str = DEFAULT_USERNAME
    password: str = field(default="", repr=False)
    tenant: str = DEFAULT_TENANT
    api_version: str | None = None  # None: negotiate min(controller, MAX_API_VERSION)
    timeout: float = 60.0  # read timeout per request, seconds
    connect_timeout: float = 10.0
    ca_bundle: str | None = None
    insecure: bool = False
    auth_token: str = field(default="", repr=False)
    csp_host: str = DEFAULT_CSP_HOST
    csp_token: str = field(default="", repr=False)
    user_agent: str = "albform"

    def __post_init__(self) -> None:
        if not self.controller.strip():
            raise AviConfigError("avi_controller is required (or set AVI_CONTROLLER)")
        if self.timeout <= 0 or self.connect_timeout <= 0:
            raise AviConfigError("timeouts must be positive numbers of seconds")
        if self.insecure and self.ca_bundle:
            raise AviConfigError("avi_insecure and avi_ca_bundle are mutually exclusive")
        if self.ca_bundle and not os.path.exists(self.ca_bundle):
            raise AviConfigError(f"CA bundle {self.ca_bundle!r} does not exist")
        if self.csp_token:
            # The argument is the official provider's, so a configuration using it loads; the
            # CSP token exchange itself is not implemented (nothing here could test it).
            raise AviConfigError(
                "avi_csp_token: VMware Cloud Services (CSP) token authentication is not "
                "supported by albform; use avi_password or avi_authtoken")

    def __repr__(self) -> str:
        def show(name: str) -> str:
            value = getattr(self, name)
            secret = name in ("password", "auth_token", "csp_token")
            return "***" if secret and value else repr(value)

        shown = ", ".join(f"{f.name}={show(f.name)}" for f in fields(self))
        return f"ClientConfig({shown})"

    __str__ = __repr__

    @property
    def base_url(self) -> str:
        """``https://host[:port]`` (no trailing slash); ports 443/80 dropped like the SDK."""
        text = self.controller.strip().rstrip("/")
        if "://" not in text:
            text = "https://" + text
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AviConfigError(f"avi_controller {self.controller!r} is not a host or URL")
        host = parts.hostname
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        port = parts.port
        default_port = 443 if parts.scheme == "https" else 80
        netloc = host if port in (None, default_port) else f"{host}:{port}"
        return f"{parts.scheme}://{netloc}"

    @property
    def verify(self) -> bool | str:
        """TLS verification (``HttpTransport``): CA bundle path, True, or False if insecure."""
        if self.insecure:
            return False
        return self.ca_bundle or True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object,
                 ) -> ClientConfig:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, var in ENV_VARS.items():
            if var in env:
                values[name] = env[var]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls._build(values)

    @classmethod
    def from_provider_args(cls, args: Mapping[str, object],
                           environ: Mapping[str, str] | None = None) -> ClientConfig:
        """Provider block arguments, each falling back to its env var like the provider;
        albform's extensions come from their env vars (``EXTENSION_ENV_VARS``) only."""
        unknown = sorted(set(args) - set(PROVIDER_ARGS))
        if unknown:
            raise AviConfigError(f"unsupported provider argument(s): {', '.join(unknown)}"
                                 + _extension_hint(unknown))
        overrides = {PROVIDER_ARGS[k]: v for k, v in args.items() if v is not None}
        return cls.from_env(environ, **overrides)

    @classmethod
    def _build(cls, values: Mapping[str, object]) -> ClientConfig:
        if "controller" not in values:
            raise AviConfigError("avi_controller is required (or set AVI_CONTROLLER)")
        kwargs: dict[str, object] = {}
        for key, value in values.items():
            if key == "insecure":
                kwargs[key] = _to_bool(key, value)
            elif key in ("timeout", "connect_timeout"):
                kwargs[key] = _to_float(key, value)
            else:
                kwargs[key] = None if value is None else str(value)
        if kwargs.get("api_version") == "":
            kwargs["api_version"] = None
        if kwargs.get("ca_bundle") == "":
            kwargs["ca_bundle"] = None
        return cls(**kwargs)  # type: ignore[arg-type]

    def with_changes(self, **changes: object) -> ClientConfig:
        return replace(self, **changes)  # type: ignore[arg-type]


def _extension_hint(names: list[str]) -> str:
    hints = [f"{name}: set {EXTENSION_ENV_VARS[name]} instead" for name in names
             if name in EXTENSION_ENV_VARS]
    return f" ({'; '.join(hints)})" if hints else ""


def _to_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise AviConfigError(f"{name} must be true or false, not {value!r}")


def _to_float(name: str, value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        raise AviConfigError(f"{name} must be a number of seconds, not {value!r}") from None


def unknown_avi_variables(environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """``AVI_*`` variables albform does not read, each with the known name it most resembles
    (``AVI_CONTROLER`` → ``AVI_CONTROLLER``), or None. A misspelt ``AVI_CONTROLLER`` would
    otherwise silently mean "no controller"."""
    known = sorted(ENV_VARS.values())
    return [(name, next(iter(difflib.get_close_matches(name, known, n=1, cutoff=0.75)), None))
            for name in sorted(environ) if name.startswith("AVI_") and name not in known]
