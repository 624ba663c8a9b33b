"""User errors as values.

A `Problem` is something wrong with the user's input (a workbook or a rulebook): it says where
(file, sheet, Excel row, column), what was found and what was expected, in Chinese. Problems are
collected through a whole run and returned; bugs raise ordinary exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem in the user's input."""

    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""
    key: str = ""  # a key path in a rulebook file, e.g. "metrics[1].curve"

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件「{self.file}」")
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"「{self.column}」列")
        if self.key:
            parts.append(f"键「{self.key}」")
        return "，".join(parts)

    def __str__(self) -> str:
        text = self.message
        if self.value != "":
            text += f"：发现「{self.value}」"
        if self.expected:
            text += f"，应为{self.expected}"
        where = self.where()
        return f"{where}：{text}" if where else text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "key": self.key,
            "message": self.message,
            "text": str(self),
        }


class InputError(Exception):
    """Raised at an edge (CLI, app) when user input has problems; carries all of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def show_value(value: object) -> str:
    """How a found value is quoted back to the user."""
    if value is None:
        return "（空）"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
