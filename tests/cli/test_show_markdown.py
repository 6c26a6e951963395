"""``albform show``: a private key never appears in any format; an outputs-only plan says
so in the PR comment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from albform.provider.emulator.certs import self_signed


def test_the_private_key_never_shows(albform: Any, tmp_path: Path) -> None:
    """The renderer masks sensitive values in updates (tests/engine/render golden ``mixed``);
    through the CLI a key is withheld from the saved plan and every ``show`` format."""
    pair = self_signed()
    key = pair.key_pem.decode()
    (tmp_path / "main.tf.json").write_text(json.dumps({"resource": {"avi_sslkeyandcertificate": {
        "demo": {"name": "demo-cert", "type": "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE",
                 "certificate": {"certificate": pair.cert_pem.decode()}, "key": key}}}}))
    assert albform("plan", "-out=tfplan").code == 0
    for flags in (("-markdown",), ("-json",), ("-no-color",)):
        shown = albform("show", *flags, "tfplan")
        assert shown.code == 0, shown.err
        assert key.splitlines()[1] not in shown.out and "PRIVATE KEY" not in shown.out
    comment = albform("show", "-markdown", "tfplan").out
    assert "- `+` `avi_sslkeyandcertificate.demo`" in comment


def test_an_outputs_only_plan_is_reported_as_such(albform: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "avi_pool" "p" {\n  name = "md-p"\n}\n')
    assert albform("apply", "-auto-approve").code == 0
    (tmp_path / "main.tf").write_text('resource "avi_pool" "p" {\n  name = "md-p"\n}\n'
                                      'output "pool" {\n  value = avi_pool.p.name\n}\n')
    assert albform("plan", "-out=tfplan").code == 0
    shown = albform("show", "-markdown", "tfplan")
    assert shown.out.splitlines()[1] == "## Plan: only outputs will change"
    assert '| `pool` | — | `"md-p"` |' in shown.out
