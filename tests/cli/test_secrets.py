"""Secrets never reach the state file, plans or output: a certificate's private key applied
through the CLI is withheld from terraform.tfstate, masked in the plan, and re-planning does
not see the withheld value as a change."""

from __future__ import annotations

import datetime
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _self_signed() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "demo.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key


def test_private_key_is_withheld_from_state_and_masked_in_plans(albform: Any,
                                                                 tmp_path: Path) -> None:
    cert, key = _self_signed()
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf.json").write_text(json.dumps({"resource": {"avi_sslkeyandcertificate": {
        "demo": {"name": "demo-cert", "type": "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE",
                 "certificate": {"certificate": cert}, "key": key}}}}))
    secret_line = key.splitlines()[1]

    plan = albform("-chdir=" + str(work), "plan", "-no-color")
    assert plan.code == 0, plan.err
    assert "(sensitive value)" in plan.out
    assert secret_line not in plan.out
    plan_json = albform("-chdir=" + str(work), "plan", "-json")
    assert secret_line not in plan_json.out
    assert albform("-chdir=" + str(work), "plan", "-out=tfplan").code == 0
    shown = albform("-chdir=" + str(work), "show", "-json", "tfplan")
    assert shown.code == 0 and '"resource_changes"' in shown.out
    assert secret_line not in shown.out
    with zipfile.ZipFile(work / "tfplan") as saved:
        for entry in saved.namelist():
            assert secret_line.encode() not in saved.read(entry), entry

    applied = albform("-chdir=" + str(work), "apply", "-auto-approve", "-no-color")
    assert applied.code == 0, applied.out + applied.err
    state_text = (work / "terraform.tfstate").read_text()
    assert "PRIVATE KEY" not in state_text and secret_line not in state_text
    instance = json.loads(state_text)["resources"][0]["instances"][0]
    assert [{"type": "get_attr", "value": "key"}] in instance["sensitive_attributes"]

    again = albform("-chdir=" + str(work), "plan", "-detailed-exitcode")
    assert again.code == 0, again.out + again.err
    shown = albform("-chdir=" + str(work), "state", "show", "avi_sslkeyandcertificate.demo")
    assert secret_line not in shown.out


# -- rotation: the state keeps a digest of what was sent, never the secret ------------------------

HM = """
variable "pw" {}
resource "avi_healthmonitor" "hm" {
  name = "hm-auth"
  type = "HEALTH_MONITOR_HTTP"
  authentication {
    username = "probe"
    password = var.pw
  }
}
output "pw" {
  value     = var.pw
  sensitive = true
}
"""


def _stored_body(db: Path, name: str) -> dict[str, Any]:
    """The object as the emulator stored it (the API never answers secrets)."""
    with sqlite3.connect(db) as conn:
        (body,) = conn.execute("SELECT body FROM objects WHERE name = ?", (name,)).fetchone()
    return dict(json.loads(body))


def test_a_rotated_password_is_planned_and_applied(albform: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(HM)
    assert albform("apply", "-auto-approve", "-var", "pw=first-secret").code == 0
    state_text = (tmp_path / "terraform.tfstate").read_text()
    assert "first-secret" not in state_text
    assert albform("plan", "-detailed-exitcode", "-var", "pw=first-secret").code == 0

    plan = albform("plan", "-detailed-exitcode", "-no-color", "-var", "pw=second-secret")
    assert plan.code == 2, plan.out + plan.err
    assert "~ password = (sensitive value)" in plan.out and "second-secret" not in plan.out
    assert "1 to change" in plan.out
    assert albform("apply", "-auto-approve", "-var", "pw=second-secret").code == 0
    assert _stored_body(tmp_path / "emulator.db", "hm-auth")["authentication"]["password"] \
        == "second-secret"
    state_text = (tmp_path / "terraform.tfstate").read_text()
    assert "second-secret" not in state_text and "first-secret" not in state_text
    assert albform("plan", "-detailed-exitcode", "-var", "pw=second-secret").code == 0
    # Rotating back is a change too: the digest is of the value, not a counter.
    assert albform("plan", "-detailed-exitcode", "-var", "pw=first-secret").code == 2


def test_a_rotated_certificate_key_is_applied(albform: Any, tmp_path: Path) -> None:
    cert, key = _self_signed()
    new_cert, new_key = _self_signed()

    def write(c: str, k: str) -> None:
        (tmp_path / "main.tf.json").write_text(json.dumps({"resource": {
            "avi_sslkeyandcertificate": {"demo": {
                "name": "demo-cert", "type": "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE",
                "certificate": {"certificate": c}, "key": k}}}}))

    write(cert, key)
    assert albform("apply", "-auto-approve").code == 0
    write(new_cert, new_key)
    plan = albform("plan", "-no-color")
    assert "~ key" in plan.out and "(sensitive value)" in plan.out, plan.out
    assert albform("apply", "-auto-approve").code == 0
    assert _stored_body(tmp_path / "emulator.db", "demo-cert")["key"] == new_key
    assert new_key.splitlines()[1] not in (tmp_path / "terraform.tfstate").read_text()
    assert albform("plan", "-detailed-exitcode").code == 0


def test_sensitive_outputs_are_not_stored(albform: Any, tmp_path: Path) -> None:
    """README: "Secrets (private keys, passwords, sensitive outputs) never reach state"."""
    (tmp_path / "main.tf").write_text(HM)
    assert albform("apply", "-auto-approve", "-var", "pw=first-secret").code == 0
    doc = json.loads((tmp_path / "terraform.tfstate").read_text())
    assert doc["outputs"]["pw"] == {"value": None, "type": "string", "sensitive": True}
    assert albform("plan", "-detailed-exitcode", "-var", "pw=first-secret").code == 0
    shown = albform("output", "pw")
    assert shown.code == 1 and "Sensitive output not stored" in shown.err
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "sensitive outputs" in readme and "never reach state" in readme
