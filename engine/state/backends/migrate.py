"""Moving every workspace's state from one backend to another (``init -migrate-state``).

Each state keeps its lineage and serial, so it stays the same history: a later ``terraform``
or albform run against the new backend continues it, and a saved plan made before the move
is still recognised. Both workspaces are locked while one moves. A target that already holds
a different non-empty state is never overwritten (Terraform's lineage/serial rules,
``check_write``): the move stops with that error and the source is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from albform.engine.state.backends.workspaces import WorkspaceStore, exists


@dataclass(frozen=True)
class Migration:
    """What a move did: the workspaces whose state was copied, and those skipped because
    they held no state."""

    copied: tuple[str, ...]
    empty: tuple[str, ...]


def migrate_workspaces(source: WorkspaceStore, target: WorkspaceStore) -> Migration:
    copied: list[str] = []
    empty: list[str] = []
    for name in source.names():
        old = source.backend(name)
        try:
            with old.locked("init"):
                state = old.read()
                if not exists(target, name):
                    target.create(name)  # an empty workspace moves too: it was created
                if state is None or state.is_empty:
                    empty.append(name)
                    continue
                new = target.backend(name)
                try:
                    with new.locked("init"):
                        new.write(state)
                finally:
                    new.close()
                copied.append(name)
        finally:
            old.close()
    return Migration(tuple(copied), tuple(empty))
