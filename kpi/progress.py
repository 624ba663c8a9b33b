"""Progress of long steps (reading and measuring a million calls): a callable `progress(stage, fraction)`.

The library only calls it; the CLI prints it to stderr (`stderr_progress`), the app shows it in a bar.
fastexcel reads a sheet in one call, so reading reports per sheet/file, not within a sheet.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[str, float], None]


def no_progress(stage: str, fraction: float) -> None:
    """The default: say nothing."""


def stderr_progress(stream: TextIO | None = None) -> Progress:
    """A progress callable printing `[  3.2s] 读取 detail.xlsx  40%` lines to stderr."""
    out = stream or sys.stderr
    started = time.perf_counter()

    def report(stage: str, fraction: float) -> None:
        out.write(f"[{time.perf_counter() - started:6.1f}s] {stage} {fraction:4.0%}\n")
        out.flush()

    return report
