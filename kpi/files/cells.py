"""Reading one cell: the many ways offices write a number, a rate, a month — exactly, or refused.

Each parser returns `(value, None)` or `(None, expected)`, where `expected` says in Chinese what
the cell should hold. Floats from spreadsheet readers go through `repr` so 0.935 stays 0.935.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

Parsed = tuple[object, str | None]

ERROR_VALUES = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"}
)
EXCEL_EPOCH = dt.date(1899, 12, 30)


def norm_text(value: object) -> str:
    """NFKC (full-width → half-width), NBSP and stray spaces removed at the ends."""
    return unicodedata.normalize("NFKC", str(value)).replace("\u00a0", " ").strip()


UNIT_SUFFIX = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


def norm_header(value: object) -> str:
    """A header as compared: NFKC, no spaces or underscores, lower case (for English keys), and a
    trailing unit in brackets dropped: 「有效话务量（通）」 and 「Valid Calls」 match 有效话务量 / valid_calls."""
    if value is None:
        return ""
    text = re.sub(r"[\s_]+", "", norm_text(value)).lower()
    return UNIT_SUFFIX.sub("", text) or text


@dataclass(frozen=True)
class NoCachedValue:
    """A formula cell whose file holds no computed result (written by a program, never opened in Excel)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and norm_text(value) == "")


def is_error(value: object) -> bool:
    return isinstance(value, str) and value.strip().upper() in ERROR_VALUES


def to_fraction(value: object) -> Fraction | None:
    """An exact number from a cell (int, float via repr, Decimal, or text like ' 12,345 ')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if value == value and abs(value) != float("inf") else None
    text = norm_text(value).replace(",", "").replace(" ", "")
    if re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        return Fraction(text)
    return None


def parse_count(value: object) -> Parsed:
    number = to_fraction(value)
    if number is None or number.denominator != 1 or number < 0:
        return None, "非负整数"
    return int(number), None


def parse_score(value: object) -> Parsed:
    number = to_fraction(value)
    if number is None or not 0 <= number <= 100:
        return None, "0～100 之间的分数"
    return number, None


def parse_rate(value: object) -> Parsed:
    """A percentage in 0–100: '93.5%', 0.935 or 93.5. A bare 1 could be 1% or 100%: refused."""
    expected = "百分比（如 93.5%、0.935 或 93.5）"
    text = norm_text(value) if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        number = to_fraction(text[:-1])
        if number is None or not 0 <= number <= 100:
            return None, expected
        return number, None
    number = to_fraction(value)
    if number is None or number < 0 or number > 100:
        return None, expected
    if number == 1:
        return None, "明确的百分比：1 既可能是 1% 也可能是 100%，请写成「1%」或「100%」"
    return (number * 100 if number < 1 else number), None


def parse_month(value: object) -> Parsed:
    """'2024-05', '2024/5', '2024年5月', '2024-05-01', a date, or an Excel date serial → '2024-05'."""
    expected = "月份（如 2024-05、2024/5、2024年5月 或日期）"
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}", None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel date serial (1954–2119)
            day = EXCEL_EPOCH + dt.timedelta(days=int(value))
            return f"{day.year:04d}-{day.month:02d}", None
        return None, expected
    text = norm_text(value) if value is not None else ""
    match = re.fullmatch(
        r"(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*\d{1,2}\s*日?)?(?:\s+[\d:]+)?", text
    )
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None, expected
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}", None
