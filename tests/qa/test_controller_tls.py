"""A real controller over HTTPS (the standalone emulator with its self-signed certificate):
verification fails by default with one clear error that says how to fix it, works with the CA
bundle, and the opt-out warns; the password never shows up in any output or file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from albform.provider.emulator import start_emulator

PASSWORD = "Qa-S3cret-pw!"
CONFIG = 'resource "avi_pool" "p" {\n  name = "qa-tls"\n}\n'


@pytest.fixture
def controller(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with start_emulator(tls=True, password=PASSWORD) as emu:
        assert emu.cert_pem is not None
        ca = tmp_path / "ca.pem"
        ca.write_bytes(emu.cert_pem)
        yield emu.url, ca


def _env(url: str, **more: str) -> dict[str, str]:
    return {"AVI_CONTROLLER": url, "AVI_USERNAME": "admin", "AVI_PASSWORD": PASSWORD, **more}


def test_unverified_certificate_is_one_clear_error(albform: Any, tmp_path: Path,
                                                   controller: tuple[str, Path]) -> None:
    url, _ = controller
    (tmp_path / "main.tf").write_text(CONFIG)
    planned = albform("plan", "-no-color", env=_env(url))
    assert planned.code == 1
    text = planned.out + planned.err
    assert "Error: Avi controller error" in text
    assert "certificate verify failed" in text
    assert "AVI_CA_BUNDLE" in text  # says how to fix it
    assert "with avi_pool.p" not in text  # not blamed on a resource
    assert PASSWORD not in text


def test_ca_bundle_works_and_insecure_warns(albform: Any, tmp_path: Path,
                                           controller: tuple[str, Path]) -> None:
    url, ca = controller
    (tmp_path / "main.tf").write_text(CONFIG)
    applied = albform("apply", "-auto-approve", "-no-color",
                      env=_env(url, AVI_CA_BUNDLE=str(ca)))
    assert applied.code == 0, applied.err
    insecure = albform("plan", "-no-color", env=_env(url, AVI_INSECURE="true"))
    assert insecure.code == 0, insecure.err
    assert "No changes." in insecure.out
    assert "TLS certificate verification is disabled" in insecure.err
    assert "InsecureRequestWarning" not in insecure.err  # said once, in albform's words
    for text in (applied.out, applied.err, insecure.out, insecure.err,
                 *(p.read_text() for p in tmp_path.rglob("*.tfstate*") if p.is_file())):
        assert PASSWORD not in text
