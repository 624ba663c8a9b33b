"""Writing report files safely, whatever they hold (the statement, scorecards, agent tables).

Text from the input (vendor names, agents …) is always written as a string cell, so Excel never
executes a value like "=HYPERLINK(…)"; numbers stay numbers. Files are written to a temporary file
beside the target and renamed into place; an existing file is never overwritten unless asked.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe (for CSV)."""
    return "'" + text if text.startswith(INJECTION_PREFIXES) else text


def atomic_write(path: str | Path, write: Callable[[io.BufferedWriter], None], force: bool = False) -> Path:
    """Write through a temporary file and rename it into place; refuse to overwrite unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def table_csv_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    """Any report table as CSV (UTF-8 with BOM): text cells neutralised, numbers left as numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")
