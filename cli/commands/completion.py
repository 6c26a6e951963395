"""``albform completion bash|zsh|fish`` — print the shell completion script.

Install it once per shell, e.g. ``albform completion bash > ~/.local/share/bash-completion/
completions/albform`` or ``eval "$(albform completion zsh)"`` in ``~/.zshrc``; commands,
subcommands and flags then complete. The script calls albform back with
``_ALBFORM_COMPLETE`` set (click's shell completion), so it stays right as commands change.
"""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion_command(ctx: click.Context, /, shell: str) -> int:
    """Print the shell completion script for bash, zsh or fish."""
    completion = get_completion_class(shell)
    if completion is None:  # click ships all three; a missing one is a broken install
        raise click.ClickException(f"click has no {shell} completion")
    root = ctx.find_root().command
    click.echo(completion(root, {}, "albform", "_ALBFORM_COMPLETE").source())
    return 0
