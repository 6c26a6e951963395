"""backend_from_config: which backend a backend block selects, and clear errors for mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from albform.engine.diagnostics import DiagnosticsError
from albform.engine.state.backends import (
    HttpBackend,
    LocalBackend,
    PgBackend,
    backend_from_config,
)


def test_no_block_means_local_state_in_the_working_directory(tmp_path: Path) -> None:
    backend = backend_from_config(None, None, tmp_path)
    assert isinstance(backend, LocalBackend)
    assert backend.path == tmp_path / "terraform.tfstate"
    custom = backend_from_config("local", {"path": "envs/prod.tfstate"}, tmp_path)
    assert isinstance(custom, LocalBackend) and custom.path == tmp_path / "envs/prod.tfstate"


def test_http_settings_and_environment_fallbacks(tmp_path: Path) -> None:
    backend = backend_from_config(
        "http", {"address": "https://state.example/s", "lock_address": "https://state.example/l",
                 "lock_method": "POST", "unlock_method": "DELETE", "retry_max": "5",
                 "skip_cert_verification": "false"},
        tmp_path, environ={"TF_HTTP_USERNAME": "u", "TF_HTTP_PASSWORD": "p"})
    assert isinstance(backend, HttpBackend)
    assert backend.unlock_address == "https://state.example/l"  # defaults to lock_address
    assert (backend.lock_method, backend.unlock_method, backend.retry_max) == (
        "POST", "DELETE", 5)
    assert backend._session.auth == ("u", "p") and backend._verify is True


def test_pg_settings(tmp_path: Path) -> None:
    backend = backend_from_config("pg", {"skip_schema_creation": True}, tmp_path,
                                  environ={"PG_CONN_STR": "host=db", "PG_SCHEMA_NAME": "s"})
    assert isinstance(backend, PgBackend) and backend.schema_name == "s"


@pytest.mark.parametrize(("name", "settings", "message"), [
    ("s3", {}, 'Unsupported backend type "s3"'),
    ("local", {"paht": "x"}, 'backend "local" has no setting "paht"'),
    ("http", {}, '"address" is required'),
    ("http", {"address": "http://x", "retry_max": "many"}, '"retry_max" must be a non-negative'),
    ("http", {"address": "http://x", "skip_cert_verification": "maybe"}, "true or false"),
    ("http", {"address": "http://x", "client_certificate_pem": "..."}, "not supported"),
    ("pg", {}, '"conn_str" is required'),
    ("pg", {"conn_str": 5}, '"conn_str" must be a string'),
])
def test_mistakes_are_diagnostics(tmp_path: Path, name: str, settings: dict[str, object],
                                  message: str) -> None:
    with pytest.raises(DiagnosticsError) as err:
        backend_from_config(name, settings, tmp_path, environ={})
    assert err.value.diagnostics[0].summary == "Invalid backend configuration"
    assert message in err.value.diagnostics[0].detail
