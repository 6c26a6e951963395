"""``albform init`` output in Terraform's words (with albform's name where Terraform names
itself), so wrappers that look for "has been successfully initialized" keep working."""

from __future__ import annotations

from collections.abc import Sequence

import click


class InitView:
    def __init__(self, *, color: bool) -> None:
        self.color = color

    def _echo(self, text: str, **style: object) -> None:
        click.echo(click.style(text, **style) if self.color else text)  # type: ignore[arg-type]

    def backend_heading(self) -> None:
        self._echo("Initializing the backend...", bold=True)

    def configured(self, kind: str) -> None:
        self._echo(f'\nSuccessfully configured the backend "{kind}"! albform will '
                   "automatically\nuse this backend unless the backend configuration "
                   "changes.", fg="green")

    def confirm_copy(self, old: str, new: str, ask: bool) -> bool:
        """Terraform's question before copying state; without input, the answer is no."""
        if not ask:
            return False
        click.echo(f'albform detected that the backend type changed from "{old}" to '
                   f'"{new}".\n\nDo you want to copy existing state to the new backend?\n'
                   "  Pre-existing state was found while migrating the previous "
                   f'"{old}" backend to the\n  newly configured "{new}" backend. Enter "yes" '
                   "to copy and \"no\" to start with\n  an empty state.\n")
        try:
            answer = click.prompt("  Enter a value", default="", show_default=False)
        except click.exceptions.Abort:
            return False
        return str(answer).strip() == "yes"

    def migrated(self, workspaces: Sequence[str]) -> None:
        names = ", ".join(f'"{w}"' for w in workspaces) or "none (no state to copy)"
        self._echo(f"\nCopied the state of workspace(s) {names} to the new backend, "
                   "lineage and serial unchanged.")

    def providers(self) -> None:
        self._echo("\nInitializing provider plugins...", bold=True)
        click.echo("- vmware/avi is built in to albform")

    def done(self) -> None:
        self._echo("\nalbform has been successfully initialized!", bold=True, fg="green")
        self._echo("\nYou may now begin working with albform. Try running \"albform plan\" "
                   "to see\nany changes that are required for your infrastructure. All "
                   "albform commands\nshould now work.\n\nIf you ever set or change modules "
                   "or backend configuration for albform,\nrerun this command to "
                   "reinitialize your working directory. If you forget, other\ncommands "
                   "will detect it and remind you to do so if necessary.", fg="green")
