"""Heavy work off the server: reading, measuring and scoring an upload run in a child process with a
time limit, so one session's big or hostile file never freezes the others (the script thread only
waits, holding no GIL) and a reader that aborts (a native crash) takes down the child, not the server.

Children are forked from a forkserver that has already imported kpi, so starting one costs
milliseconds. The limit is `KPI_APP_TIME_LIMIT` seconds (default 300) for a whole upload.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

DEFAULT_LIMIT = 300.0
_CONTEXT = mp.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["dashboard.data"])
# Streamlit runs the page script as the `__main__` module, and a forkserver child re-runs `__main__`
# before its job (to unpickle what it defines): the whole app, again, in every child. While a child
# is started, `__main__` is a module with neither name nor file, so nothing is re-run.
_NO_MAIN = types.ModuleType("__main__")
_STARTING = threading.Lock()


def _start(child) -> None:
    with _STARTING:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = _NO_MAIN
        try:
            child.start()
        finally:
            if sys.modules.get("__main__") is _NO_MAIN:  # unless a script run replaced it meanwhile
                sys.modules["__main__"] = main


def time_limit() -> float:
    try:
        return max(1.0, float(os.environ.get("KPI_APP_TIME_LIMIT", DEFAULT_LIMIT)))
    except ValueError:
        return DEFAULT_LIMIT


class TimedOut(Exception):
    """The work did not finish within its time limit; the child was stopped."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"work stopped after {seconds:.0f} s")


class WorkerDied(Exception):
    """The child ended without an answer (killed, out of memory, or a native abort)."""

    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        super().__init__(f"worker ended with exit code {exitcode}")


class WorkerError(RuntimeError):
    """A bug in the child: its traceback as text (the original may not be picklable)."""


def _child(conn, fn: Callable[..., Any], args: tuple) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a reader that aborts leaves no core file
    try:
        answer = (True, fn(*args))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent as text
        answer = (False, traceback.format_exc())
    try:
        conn.send(answer)
    except Exception:  # noqa: BLE001 - an unpicklable result is a bug: say so
        conn.send((False, traceback.format_exc()))
    conn.close()


class Deadline:
    """One time limit shared by the steps of a load."""

    def __init__(self, seconds: float | None = None):
        self.seconds = time_limit() if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())


def run_limited(fn: Callable[..., Any], *args: Any, deadline: Deadline | None = None) -> Any:
    """`fn(*args)` in a child process; raises TimedOut, WorkerDied or WorkerError instead of hanging."""
    deadline = deadline or Deadline()
    receive, send = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(send, fn, args), daemon=True)
    _start(child)
    send.close()
    try:
        if not receive.poll(deadline.left()):
            child.kill()
            raise TimedOut(deadline.seconds)
        try:
            ok, value = receive.recv()
        except EOFError:
            child.join(5)
            raise WorkerDied(child.exitcode) from None
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if not ok:
        raise WorkerError(value)
    return value
