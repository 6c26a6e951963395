"""The HCL / Terraform-JSON front end: reads ``.tf`` and ``.tf.json`` configurations into an
engine ``Configuration`` plus ``Diagnostics``. Entry point: ``load_configuration``
(see ``README.md``)."""

from __future__ import annotations

from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration

__all__ = ["ParseCache", "load_configuration"]
