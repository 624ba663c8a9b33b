"""Amounts in Chinese capitals: every example of the shared spec statement.md, and the edge cases."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.reports.capitals import DIGITS, capitals, rmb


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        # the spec's examples, with the reading this project takes where two are allowed
        ("10000.00", "壹万元整"),
        ("100500.10", "壹拾万零伍佰元壹角整"),
        ("7300.62", "柒仟叁佰元陆角贰分"),
        ("4459.05", "肆仟肆佰伍拾玖元零伍分"),
        ("5110.09", "伍仟壹佰壹拾元零玖分"),
        ("15.00", "壹拾伍元整"),
        ("0.45", "肆角伍分"),
        ("973.37", "玖佰柒拾叁元叁角柒分"),
        ("18252.73", "壹万捌仟贰佰伍拾贰元柒角叁分"),
        ("1000000.01", "壹佰万元零壹分"),
        # zeros
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.10", "壹角整"),
        ("1.00", "壹元整"),
        ("10.00", "壹拾元整"),
        ("101.00", "壹佰零壹元整"),
        ("1001.00", "壹仟零壹元整"),
        ("1010.00", "壹仟零壹拾元整"),
        ("1100.00", "壹仟壹佰元整"),
        ("105000.00", "壹拾万伍仟元整"),
        ("10500.00", "壹万零伍佰元整"),
        ("10010.00", "壹万零壹拾元整"),
        ("10000010.00", "壹仟万零壹拾元整"),
        ("10010000.00", "壹仟零壹万元整"),
        # 亿
        ("100000000.00", "壹亿元整"),
        ("100000001.00", "壹亿零壹元整"),
        ("101000000.00", "壹亿零壹佰万元整"),
        ("110000000.00", "壹亿壹仟万元整"),
        ("120034005.60", "壹亿贰仟零叁万肆仟零伍元陆角整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_capitals(amount: str, text: str) -> None:
    assert capitals(Decimal(amount)) == text


def test_rmb_prefix() -> None:
    assert rmb(Decimal("4459.05")) == "人民币肆仟肆佰伍拾玖元零伍分"


@pytest.mark.parametrize("bad", [Decimal("1.005"), Decimal("-0.01"), Decimal("1000000000000.00"), 12, 1.5])
def test_refuses_what_cannot_be_written(bad: object) -> None:
    with pytest.raises(ValueError):
        capitals(bad)  # type: ignore[arg-type]


def _read_back(text: str) -> int:
    """Parse capitals back to fen (test oracle, independent of the writer's zero rules)."""
    values = {d: i for i, d in enumerate(DIGITS)}
    small = {"拾": 10, "佰": 100, "仟": 1000}
    total, group, digit = 0, 0, 0
    fen = 0
    for ch in text:
        if ch in values:
            digit = values[ch]
        elif ch in small:
            group += digit * small[ch]
            digit = 0
        elif ch == "万":
            total += (group + digit) * 10_000
            group = digit = 0
        elif ch == "亿":
            total = (total + group + digit) * 100_000_000
            group = digit = 0
        elif ch == "元":
            total += group + digit
            group = digit = 0
        elif ch == "角":
            fen += digit * 10
            digit = 0
        elif ch == "分":
            fen += digit
            digit = 0
    return total * 100 + fen


@given(st.integers(min_value=0, max_value=10**14 - 1))
def test_capitals_read_back_and_zero_rules(fen: int) -> None:
    text = capitals(Decimal(fen).scaleb(-2).quantize(Decimal("0.01")))
    assert _read_back(text) == fen
    assert "零零" not in text
    assert not text.startswith("零") or text == "零元整"
    assert text.endswith(("整", "分"))
    assert "零万" not in text and "零亿" not in text and "零元" not in text[1:]
