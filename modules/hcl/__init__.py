"""The HCL / Terraform-JSON front end: reads ``.tf`` and ``.tf.json`` configurations into an
engine ``Configuration`` plus ``Diagnostics``. Entry point: ``load_configuration``
(see ``README.md``)."""

from __future__ import annotations

from typing import Any

from albform.modules.hcl.load import load_configuration

__all__ = ["ParseCache", "load_configuration"]


def __getattr__(name: str) -> Any:
    # The parse cache brings python-hcl2 (a fifth of a second to import), which a load that
    # the configuration memo answers never needs.
    if name == "ParseCache":
        from albform.modules.hcl.cache import ParseCache

        return ParseCache
    raise AttributeError(name)
