"""Reading a user's file from disk: only a regular file, and never more than a cap.

A device (/dev/zero, /dev/urandom), a pipe or a directory named as a workbook, detail file or
rulebook would be read until memory runs out, or block: it is refused before any byte is read.
The file is opened without blocking (a FIFO does not wait for a writer), checked with fstat on the
same descriptor (no race with a rename), and read up to the cap plus one byte, so a file that grows
while it is read is still caught.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kpi.errors import Problem

NOT_REGULAR = "不是普通文件（可能是设备、管道或文件夹），拒绝读取"


def too_big(name: str, size: int, max_bytes: int) -> Problem:
    return Problem(f"文件过大（上限 {max_bytes:,} 字节）", file=name, value=f"{size:,} 字节")


def read_capped(
    path: str | Path, name: str, max_bytes: int, expected: str = ""
) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, or None and why not (not found, not a regular file, larger than `max_bytes`,
    unreadable), as a located Problem naming `name`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None, Problem("找不到文件", file=name)
    except OSError as exc:
        return None, Problem(f"无法打开文件：{exc.strerror or exc}", file=name)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(NOT_REGULAR, file=name, expected=expected)
        if info.st_size > max_bytes:
            return None, too_big(name, info.st_size, max_bytes)
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            return None, too_big(name, size, max_bytes)
        return b"".join(chunks), None
    except OSError as exc:
        return None, Problem(f"无法读取文件：{exc.strerror or exc}", file=name)
    finally:
        os.close(fd)


def is_regular(path: str | Path) -> bool:
    """Whether `path` names a regular file (following symlinks); False when it does not exist."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
