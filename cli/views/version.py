"""``albform version`` in Terraform's two shapes: the human lines and the ``-json`` object
(Terraform's keys, so wrappers that read ``terraform_version`` keep working, plus
``albform_version``)."""

from __future__ import annotations

import json
import platform
import sys

from albform import __version__
from albform.engine.state.model import TERRAFORM_VERSION


def _platform() -> str:
    """Terraform's ``GOOS_GOARCH`` spelling, e.g. ``linux_amd64``."""
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "i386": "386"}.get(
        machine, machine)
    return f"{sys.platform.rstrip('0123456789')}_{arch}"


def version_text() -> str:
    # Tools read the first x.y.z of `terraform version` as Terraform's version (cdktf's
    # ValidateTerraformVersion refuses import blocks below 1.5), so Terraform's comes first.
    return (f"Terraform v{TERRAFORM_VERSION} compatible (albform v{__version__})\n"
            f"on {_platform()}")


def version_json() -> str:
    """The JSON document, indented as Terraform indents it.

    ``terraform_version`` is the Terraform release whose formats albform reads and writes —
    what tools asking this question (cdktf, wrappers) need to know; ``provider_selections``
    is empty because albform installs no provider plugins (its Avi provider is built in)."""
    return json.dumps({
        "terraform_version": TERRAFORM_VERSION,
        "albform_version": __version__,
        "platform": _platform(),
        "provider_selections": {},
        "terraform_outdated": False,
    }, indent=2)
