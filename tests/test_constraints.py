"""The test command installs with ``constraints.txt`` (the README's command is the one
``.ci/run`` runs), and the constraints pin every declared dependency to a version
``pyproject.toml`` allows — so a dependency changed without ``tools/gen_constraints`` fails here,
not in CI's install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
EXTRAS = ("test", "k8s", "cdktf")


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[_normal(name)] = Version(version)
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in EXTRAS:
        specs += project["optional-dependencies"][extra]
    return [Requirement(s) for s in specs]


def test_readme_and_ci_install_with_the_constraints() -> None:
    readme = (REPO / "README.md").read_text()
    command = next(line for line in readme.splitlines() if "tools/check" in line
                   and "pip install" in line)
    assert "-c constraints.txt" in command
    assert command in (REPO / ".ci" / "run").read_text().splitlines()


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = _normal(requirement.name)
        assert name in pins, f"{requirement.name} is not in constraints.txt: run " \
                             "tools/gen_constraints"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]} outside {requirement}")
