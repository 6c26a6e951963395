"""Certificate details the controller derives from an uploaded PEM (``sslkeyandcertificate``).

On write the controller parses ``certificate.certificate`` and fills ``certificate`` with
version, serial, issuer/subject, validity, fingerprint, expiry status and the public key, and
``key_params`` with the key algorithm and size (as recorded on 20.1.1). A PEM that does not
parse is a 400, as on a real controller.
"""

from __future__ import annotations

import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from albform.provider.emulator.errors import error

_NAME_FIELDS = (
    (NameOID.COMMON_NAME, "common_name"),
    (NameOID.ORGANIZATION_NAME, "organization"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "organization_unit"),
    (NameOID.LOCALITY_NAME, "locality"),
    (NameOID.STATE_OR_PROVINCE_NAME, "state"),
    (NameOID.COUNTRY_NAME, "country"),
    (NameOID.EMAIL_ADDRESS, "email_address"),
)
_DN_ORDER = (
    (NameOID.COUNTRY_NAME, "C"), (NameOID.STATE_OR_PROVINCE_NAME, "ST"),
    (NameOID.LOCALITY_NAME, "L"), (NameOID.ORGANIZATION_NAME, "O"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "OU"), (NameOID.COMMON_NAME, "CN"),
)
# Hidden in write answers (recorded POST answers lack them; GETs show them).
WRITE_HIDDEN = frozenset({"certificate", "public_key", "text"})


def _name(name: x509.Name) -> dict[str, str]:
    out: dict[str, str] = {}
    for oid, key in _NAME_FIELDS:
        attrs = name.get_attributes_for_oid(oid)
        if attrs:
            out[key] = str(attrs[0].value)
    parts = [f"{short}={name.get_attributes_for_oid(oid)[0].value!s}"
             for oid, short in _DN_ORDER if name.get_attributes_for_oid(oid)]
    out["distinguished_name"] = ", ".join(parts)
    return out


def _when(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def describe(pem: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(certificate details, key_params)`` for a PEM certificate."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise error(400, "Invalid certificate: could not parse the PEM data") from None
    now = datetime.datetime.now(datetime.UTC)
    not_after = cert.not_valid_after_utc
    days = (not_after - now).days
    status = ("SSL_CERTIFICATE_EXPIRED" if days < 0
              else "SSL_CERTIFICATE_EXPIRY_WARNING" if days < 30 else "SSL_CERTIFICATE_GOOD")
    sha1 = cert.fingerprint(hashes.SHA1()).hex().upper()  # display only, as the controller shows it
    fingerprint = "SHA1 Fingerprint=" + ":".join(sha1[i:i + 2] for i in range(0, len(sha1), 2))
    public = cert.public_key()
    sig = cert.signature_algorithm_oid._name  # e.g. "sha256WithRSAEncryption"
    details: dict[str, Any] = {
        "version": str(cert.version.value),
        "serial_number": str(cert.serial_number),
        "self_signed": cert.issuer == cert.subject,
        "issuer": _name(cert.issuer),
        "subject": _name(cert.subject),
        "public_key": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode(),
        "signature_algorithm": sig,
        "not_before": _when(cert.not_valid_before_utc),
        "not_after": _when(not_after),
        "certificate": pem,
        "text": (f"Certificate:\n    Data:\n        Version: {cert.version.value + 1}\n"
                 f"        Serial Number: {cert.serial_number}\n"
                 f"    Signature Algorithm: {sig}\n"
                 f"        Issuer: {_name(cert.issuer)['distinguished_name']}\n"
                 f"        Subject: {_name(cert.subject)['distinguished_name']}\n"),
        "fingerprint": fingerprint + "\n",
        "expiry_status": status,
        "days_until_expire": max(days, 0),
    }
    if isinstance(public, rsa.RSAPublicKey):
        key_params: dict[str, Any] = {
            "algorithm": "SSL_KEY_ALGORITHM_RSA",
            "rsa_params": {"key_size": f"SSL_KEY_{public.key_size}_BITS",
                           "exponent": public.public_numbers().e},
        }
    elif isinstance(public, ec.EllipticCurvePublicKey):
        key_params = {"algorithm": "SSL_KEY_ALGORITHM_EC",
                      "ec_params": {"curve": f"SSL_KEY_EC_CURVE_{public.curve.name.upper()}"}}
    else:
        key_params = {"algorithm": "SSL_KEY_ALGORITHM_RSA"}
    return details, key_params


def fill(body: dict[str, Any]) -> None:
    """Derive ``certificate`` details and ``key_params`` when a PEM was given."""
    cert = body.get("certificate")
    if not isinstance(cert, dict) or not isinstance(cert.get("certificate"), str):
        return
    details, key_params = describe(cert["certificate"])
    body["certificate"] = {**cert, **details}
    body.setdefault("key_params", key_params)
