"""Commands are imported only when they run, listed from static tables, and a command that
cannot be imported is an error naming it, never a silent gap in ``--help``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from albform.cli.commands.cluster import CLUSTER_COMMANDS, cluster_group
from albform.cli.commands.gslb import GSLB_COMMANDS
from albform.cli.lazy_group import CommandLoadError, LazyCommand, LazyGroup
from albform.cli.main import COMMANDS

TABLES = [(name, entry) for name, entry in COMMANDS.items()] + [
    (f"cluster {name}", entry) for name, entry in CLUSTER_COMMANDS.items()] + [
    (f"gslb {name}", entry) for name, entry in GSLB_COMMANDS.items()]


def _in_fresh_interpreter(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout


@pytest.mark.parametrize(("name", "entry"), TABLES, ids=[n for n, _ in TABLES])
def test_table_entry_loads_a_command_whose_short_help_it_repeats(
        name: str, entry: LazyCommand) -> None:
    command = entry.load(name)
    assert isinstance(command, click.Command)
    assert entry.help == command.get_short_help_str(limit=1000), (
        f"{name}: the table's help differs from the command's first docstring sentence")


def test_help_lists_every_command_without_importing_any() -> None:
    out = _in_fresh_interpreter(
        "import sys\n"
        "from albform.cli.main import main\n"
        "try:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('albform.cli.commands.')"
        " or m.startswith(('albform.modules', 'albform.provider'))))\n")
    listing, loaded = out.split("LOADED ")
    commands = listing.split("Commands:")[1]
    listed = [line.split()[0] for line in commands.splitlines() if line.strip()]
    assert listed == sorted(COMMANDS)
    for name, entry in COMMANDS.items():
        assert entry.help[:20] in commands, name
    assert loaded.strip() == "[]"


def test_cluster_help_lists_its_lazy_subcommands_with_their_help() -> None:
    result = CliRunner().invoke(cluster_group, ["--help"])
    assert result.exit_code == 0, result.output
    for name in ("plan", "apply", "destroy", *CLUSTER_COMMANDS):
        assert f"\n  {name} " in result.output


def test_running_a_command_imports_only_its_module() -> None:
    out = _in_fresh_interpreter(
        "import sys\n"
        "from albform.cli.main import main\n"
        "try:\n    main(['emulator', '--help'])\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('albform.cli.commands.'"
        ")))\n")
    assert out.split("LOADED ")[1].strip() == "['albform.cli.commands.emulator']"


@pytest.fixture
def broken_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "albform_broken_cmd.py").write_text(
        "import click\nimport albform_missing_dependency\n\n"
        "@click.command()\ndef broken():\n    '''Never loads.'''\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "albform_broken_cmd"
    sys.modules.pop("albform_broken_cmd", None)


def _group_with(entry: LazyCommand) -> click.Group:
    @click.group(cls=LazyGroup, lazy={"broken": entry, "ok": LazyCommand(
        "albform.cli.commands.emulator:emulator_command", "Run the emulator.")})
    def group() -> None:
        """A group."""

    return group


def test_a_broken_command_is_still_listed_in_help(broken_module: str) -> None:
    result = CliRunner().invoke(_group_with(LazyCommand(f"{broken_module}:broken",
                                                        "Never loads.")), ["--help"])
    assert result.exit_code == 0
    assert "broken  Never loads." in result.output


def test_running_a_broken_command_names_it_and_the_cause(broken_module: str) -> None:
    group = _group_with(LazyCommand(f"{broken_module}:broken", "Never loads."))
    result = CliRunner().invoke(group, ["broken"])
    assert isinstance(result.exception, CommandLoadError)
    message = str(result.exception)
    assert "'broken' command could not be loaded" in message
    assert broken_module in message and "albform_missing_dependency" in message
    assert isinstance(result.exception.__cause__, ImportError)


def test_a_table_entry_naming_a_missing_attribute_is_an_error() -> None:
    group = _group_with(LazyCommand("albform.cli.commands.emulator:no_such", "Missing."))
    result = CliRunner().invoke(group, ["broken"])
    assert isinstance(result.exception, CommandLoadError)
    assert "no click command named 'no_such'" in str(result.exception)


def test_the_console_entry_point_fails_loudly_on_a_broken_command(tmp_path: Path) -> None:
    (tmp_path / "albform_broken_cmd.py").write_text("raise ImportError('half-built')\n")
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from albform.cli import main as m\n"
            "from albform.cli.lazy_group import LazyCommand\n"
            "m.cli.lazy['broken'] = LazyCommand('albform_broken_cmd:x', 'Broken.')\n"
            "m.main(['broken'])\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                          text=True, check=False)
    assert done.returncode != 0
    assert "CommandLoadError: The 'broken' command could not be loaded" in done.stderr
    assert "half-built" in done.stderr
