"""Writing report files safely, whatever they hold (the statement, scorecards, agent tables).

Text from the input (vendor names, agents …) is always written as a string cell, so Excel never
executes a value like "=HYPERLINK(…)"; numbers stay numbers. Files are written to a temporary file
beside the target and renamed into place; an existing file is never overwritten unless asked.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe (for CSV)."""
    return "'" + text if text.startswith(INJECTION_PREFIXES) else text


def atomic_write(path: str | Path, write: Callable[[io.BufferedWriter], None], force: bool = False) -> Path:
    """Write through a temporary file beside the target and move it into place.

    Without `force` the move is a hard link, which fails if anything (a file, a directory, even a
    dangling symlink) holds the name: two writers cannot both win, and nothing is replaced. The file
    gets the mode a new file gets under the umask, or the mode of the file it replaces. The temporary
    file is removed on any failure, and on SIGTERM (in the main thread).
    """
    path = Path(path)
    if not force and (path.exists() or path.is_symlink()):
        raise FileExistsError(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with _terminated_raises(), os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _mode_for(path, force))
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            if force:
                os.replace(tmp, path)
            else:
                _link_new(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _mode_for(path: Path, force: bool) -> int:
    """The existing file's permission bits (when replacing it), else 0666 less the umask."""
    if force:
        try:
            return stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode)
        except OSError:
            pass
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it where Linux tells it (os.umask sets it, which
    other threads could see for an instant)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _link_new(tmp: str, path: Path) -> None:
    """Give the finished file its name only if the name is free (atomic: os.link never replaces)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:  # a file system without hard links: reserve the name exclusively
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS):
            raise
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(tmp, path)


@contextlib.contextmanager
def _terminated_raises():
    """While a report is written, SIGTERM raises (so the temporary file is cleaned up) instead of
    killing the process outright; only the main thread may set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def table_csv_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    """Any report table as CSV (UTF-8 with BOM): text cells neutralised, numbers left as numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")
