"""Packaging glue: map the import namespace ``albform`` onto the repository root.

The design card fixes the top-level folders (``engine/``, ``provider/``, ``modules/``,
``cli/``); they are shipped as ``albform.engine``, ``albform.provider``... Package lists are
computed so that adding a subpackage needs no edit here. Everything else lives in
pyproject.toml.
"""

from setuptools import find_packages, setup

LAYERS = ("engine", "provider", "modules", "cli")

packages = ["albform"] + [
    f"albform.{name}"
    for name in find_packages(include=[f"{layer}*" for layer in LAYERS])
]

setup(
    packages=packages,
    package_dir={"albform": "."},
    package_data={"": ["*.json", "*.json.gz", "*.tf", "*.sql", "*.yaml", "py.typed", "*.pyi"]},
)
