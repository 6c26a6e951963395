"""Every command is documented: help text on each command and option, and each top-level
command named in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from albform.cli.main import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command under ``group``, imported (lazy groups resolve their tables)."""
    ctx = click.Context(group)
    out = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        out.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, f"{prefix}{name} "))
    return out


COMMANDS = _commands(cli)


def test_the_cli_has_the_expected_commands() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"plan", "apply", "destroy", "validate", "drift", "state list", "output",
            "force-unlock", "emulator", "cluster plan", "cluster apply", "cluster destroy",
            "cluster render", "cluster drift"} <= names


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_and_its_options_have_help(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"{name} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name}: option {param.opts} has no help"


@pytest.mark.parametrize("name", cli.list_commands(click.Context(cli)))
def test_readme_mentions_each_top_level_command(name: str) -> None:
    assert f"albform {name}" in README or f"albform cluster {name}" in README
