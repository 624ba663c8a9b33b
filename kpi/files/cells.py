"""Reading one cell: the many ways offices write a number, a rate, a month — exactly, or refused.

Each parser returns `(value, None)` or `(None, expected)`, where `expected` says in Chinese what
the cell should hold. Floats from spreadsheet readers are read at Excel's 15 significant digits, so
0.935 stays 0.935 and 84.99999999999999 (shown by Excel as 85) is 85.

Text is compared as `norm_text` gives it: NFKC (full-width letters and digits to ASCII), invisible
characters (zero-width space, BOM, direction marks, soft hyphen …) removed, any run of spaces (NBSP,
ideographic space) one space, none at the ends. Numbers written as text are read
strictly: digits, one sign, one decimal point, thousands separators in their places, a trailing %.
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


# Unicode's default-ignorable code points: drawn as nothing, so two names differing only by them
# look the same to whoever reads the sheet.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def norm_text(value: object) -> str:
    """Text as compared and shown: NFKC (full-width → half-width), invisible characters removed,
    any run of spaces (NBSP, ideographic space …) one space, none at the ends. Two vendor names (or
    agent ids) equal after this are the same name; a visible space still counts (甲公 司 is a typo)."""
    return " ".join(INVISIBLE.sub("", unicodedata.normalize("NFKC", str(value))).split())


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


def excel_float(value: float) -> Fraction | None:
    """A float from a workbook as Excel shows it: at 15 significant digits (84.99999999999999 → 85,
    0.1 + 0.2 → 0.3); None for NaN and infinities."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return Fraction(f"{value:.15g}")


MAX_NUMBER_TEXT = 64  # characters: longer text is no number a person typed (and no 4,300-digit int)
WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # full-width ASCII forms → ASCII
# Digits (ASCII only, after the full-width forms), one sign, thousands separators (',' or a space)
# every three digits, one decimal point: '12,345.5', '-3', '.5'; not '1,0,0', '9,5', '10²', '①⓪⓪'.
NUMBER = re.compile(
    r"[-+]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)"
)


def number_text(value: object) -> str:
    """A cell's text as a number is looked for in it: full-width forms to ASCII, invisible characters
    removed, any Unicode space one ASCII space, trimmed (no other compatibility mapping: '²' stays)."""
    return " ".join(INVISIBLE.sub("", str(value).translate(WIDTH)).split())


def to_fraction(value: object) -> Fraction | None:
    """An exact number from a cell (int, float at 15 significant digits, Decimal, or strict text
    like ' 12,345 ', '１２．５'); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return excel_float(value)
    text = number_text(value)
    if len(text) <= MAX_NUMBER_TEXT and NUMBER.fullmatch(text):
        return Fraction(text.replace(",", "").replace(" ", ""))
    return None


# No monthly count of one vendor comes near a billion (calls, tickets, agents: thousands to millions);
# a larger one is a typo or a hostile file, and products of such counts overflow the money lines.
MAX_COUNT = 10**9 - 1
COUNT_EXPECTED = f"非负整数（不超过 {MAX_COUNT:,}）"


def parse_count(value: object) -> Parsed:
    number = to_fraction(value)
    if number is None or number.denominator != 1 or number < 0:
        return None, "非负整数"
    if number > MAX_COUNT:
        return None, COUNT_EXPECTED
    return int(number), None


def parse_score(value: object) -> Parsed:
    number = to_fraction(value)
    if number is None or not 0 <= number <= 100:
        return None, "0～100 之间的分数"
    return number, None


def parse_rate(value: object) -> Parsed:
    """A percentage in 0–100: '93.5%', 0.935 or 93.5. A bare 1 could be 1% or 100%: refused."""
    expected = "百分比（如 93.5%、0.935 或 93.5）"
    text = number_text(value) if isinstance(value, str) else None
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
