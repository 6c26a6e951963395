"""Ending the ``albform`` process without freeing what the command built.

A plan of 50,000 resources leaves ~800 MB of small objects (configuration, state, plan) that
the interpreter would free one by one when the command's frames return and again at
shutdown: measured, 0.25-0.3 s of CPU after the last line is printed, for nothing, since the
process is about to end. The console entry point therefore asks for a *hard exit*
(``enable``): commands hand their large results to ``keep`` so they outlive the command, and
``exit_process`` ends the process with ``os._exit`` once everything that must happen at exit
has happened.

What must happen at exit, and how it still does:
- output: stdout and stderr are flushed first; if flushing fails (a closed pipe), the normal
  exit runs instead, with Python's own handling of that case;
- exit handlers (``atexit``: logging's flush, multiprocessing's child clean-up, weakref
  finalizers such as temporary directories') run, as they would at a normal exit;
- files albform writes (state, journal, plan files, locks) are closed by ``with`` blocks
  inside the command, before it returns: nothing is left buffered;
- threads: a normal exit waits for non-daemon threads (an executor still working); if any is
  alive the normal exit runs instead, so no work is cut short. Daemon threads are abandoned
  by both exits alike;
- a profiler or tracer (``python -m cProfile -o F -m albform``, coverage) may write its
  results after the entry point returns: while one is set, the normal exit runs.

Nothing changes unless ``enable`` was called: in-process callers (the tests, ``main(argv)``)
keep the ordinary ``sys.exit`` and nothing is kept alive.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

_kept: list[tuple[object, ...]] = []
_enabled = False


def enable() -> None:
    """Let this process end with a hard exit (the console entry point only)."""
    global _enabled
    _enabled = True


def keep(*objects: object) -> None:
    """Keep ``objects`` alive until the process ends (only when a hard exit is enabled), so
    they are never freed one by one."""
    if _enabled:
        _kept.append(objects)


def _other_threads_working() -> bool:
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())


def exit_process(code: int) -> NoReturn:
    """End the process with exit status ``code``: a hard exit when enabled and safe (see the
    module docstring), ``sys.exit(code)`` otherwise."""
    if not _enabled or _other_threads_working() or sys.gettrace() is not None \
            or sys.getprofile() is not None:
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)  # e.g. a closed pipe: Python's own exit reports it
    # The handlers a normal exit would run (there is no public way to run them otherwise;
    # the function has existed unchanged since Python 3.0).
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        pass  # a handler's late output could not be written; the status still stands
    os._exit(code)
