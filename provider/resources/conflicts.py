"""Read-modify-write again when someone else wrote the object meanwhile (tenacity).

The controller answers ``409``/``412`` when an object changed between our read and our
write (another admin, AKO, a parallel albform step on a shared parent). The write is then
redone from a fresh read: the function given to ``rewrite_on_conflict`` must read, merge
and write in one go. No wait between attempts: the conflict is over once the other write
landed. Any other error, or the last attempt's conflict, is raised as is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt

from albform.engine.provider import ProviderError

T = TypeVar("T")


def rewrite_on_conflict(write: Callable[[], T], *, statuses: Collection[int],
                        attempts: int) -> T:
    """``write()``, run again (up to ``attempts`` times in all) while it raises a
    ``ProviderError`` whose status is one of ``statuses``."""
    def conflict(error: BaseException) -> bool:
        return isinstance(error, ProviderError) and error.status in statuses

    retrying = Retrying(stop=stop_after_attempt(attempts), retry=retry_if_exception(conflict),
                        reraise=True)
    return retrying(write)
