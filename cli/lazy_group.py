"""Command groups whose commands are imported only when they run.

``albform --help`` needs each command's name and one-line help, not its code: a
:class:`LazyGroup` lists its commands from a static table of :class:`LazyCommand` entries and
imports a command's module the first time that command is resolved (to run it or show its own
help). Start-up therefore costs the same however many commands exist.

A command that fails to load is a broken installation or a bug, never something to hide:
resolving it raises :class:`CommandLoadError` naming the command and the module, chained to the
original exception (so the traceback shows the real cause). Nothing is skipped silently.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``"package.module:attribute"``, a ``click.Command``) and its
    one-line help for the group's listing. ``help`` must equal the command's own short help;
    ``tests/cli/test_lazy_commands.py`` checks every entry of every table."""

    target: str
    help: str

    def load(self, name: str) -> click.Command:
        """Import the command; CommandLoadError (chained to the cause) when that fails."""
        module_name, _, attribute = self.target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # any failure at import time is a broken command
            raise CommandLoadError(
                f"The '{name}' command could not be loaded: importing {module_name} failed "
                f"with {type(exc).__name__}: {exc}") from exc
        command = getattr(module, attribute, None)
        if not isinstance(command, click.Command):
            raise CommandLoadError(
                f"The '{name}' command could not be loaded: {module_name} has no click "
                f"command named {attribute!r}.")
        return command


class CommandLoadError(RuntimeError):
    """A command listed in a group's table cannot be imported (a bug, not a user error)."""


class LazyGroup(click.Group):
    """A ``click.Group`` with a table of lazily imported commands beside any it defines
    directly (``@group.command`` adds those as usual)."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, LazyCommand] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.lazy:
            command = self.lazy[cmd_name].load(cmd_name)
            self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing from the table for commands not imported yet (so ``--help`` imports
        nothing), from the command itself otherwise."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows: list[tuple[str, str]] = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                # A placeholder shortens the table's help exactly as click shortens a command's.
                placeholder = click.Command(name, help=self.lazy[name].help)
                rows.append((name, placeholder.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_all(self) -> Sequence[tuple[str, click.Command]]:
        """Every command of the group, imported (for tests and documentation tools)."""
        ctx = click.Context(self)
        out: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            assert command is not None
            out.append((name, command))
        return out
