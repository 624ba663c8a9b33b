"""One cell at a time: numbers, rates, months and headers as offices write them."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.files.cells import (
    NoCachedValue,
    is_blank,
    is_error,
    norm_header,
    norm_text,
    number_text,
    parse_count,
    parse_month,
    parse_rate,
    parse_score,
    to_fraction,
)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12,345", 12345),
        (" 98 ", 98),
        ("１２３", 123),
        ("98\u00a0", 98),
        ("\u00a012\u202f345", 12345),
        ("１２，３４５", 12345),
        (0.935, Fraction("0.935")),
        (0.1 + 0.2, Fraction("0.3")),  # Excel's 15 significant digits
        (84.99999999999999, 85),
        (1e300, 10**300),
        ("12 345", 12345),
        ("+7", 7),
        ("10²", None),
        ("①⓪⓪", None),
        ("1,0,0", None),
        ("9,5", None),
        ("1 2 3", None),
        ("12,34", None),
        ("٣", None),
        ("1.2.3", None),
        ("--3", None),
        ("1e5", None),
        ("9" * 65, None),
        ("1\u200b00", 100),
        (7, 7),
        ("-3", -3),
        (".5", Fraction(1, 2)),
        ("12 abc", None),
        ("", None),
        (True, None),
        (float("nan"), None),
        (float("inf"), None),
        (NoCachedValue("=A1"), None),
    ],
)
def test_to_fraction(raw, number):
    assert to_fraction(raw) == number


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("12,345", (12345, None)), (3.0, (3, None)), (-1, (None, "非负整数")), ("2.5", (None, "非负整数"))],
)
def test_parse_count(raw, parsed):
    assert parse_count(raw) == parsed


@pytest.mark.parametrize(
    ("raw", "percent"),
    [
        ("93.5%", Fraction("93.5")),
        ("９３．５％", Fraction("93.5")),
        (0.935, Fraction("93.5")),
        (93.5, Fraction("93.5")),
        ("100%", 100),
        (100, 100),
        ("1%", 1),
        (0, 0),
        ("0%", 0),
        (0.93456, Fraction("93.456")),
    ],
)
def test_parse_rate_reads(raw, percent):
    assert parse_rate(raw) == (percent, None)


@pytest.mark.parametrize("raw", [1, 1.0, "1", "101%", 100.5, -0.5, "abc", "%"])
def test_parse_rate_refuses(raw):
    value, expected = parse_rate(raw)
    assert value is None and expected


@pytest.mark.parametrize(
    "raw",
    [
        "2024-05",
        "2024/5",
        "2024年5月",
        "2024年05月",
        "2024.5",
        "2024-05-01",
        "2024/5/31 0:00:00",
        "２０２４年５月",
        " 2024 - 05 ",
        dt.date(2024, 5, 31),
        dt.datetime(2024, 5, 1, 8, 30),
        45413,
        45413.0,
    ],
)
def test_parse_month_reads(raw):
    assert parse_month(raw) == ("2024-05", None)


@pytest.mark.parametrize("raw", ["2024-13", "五月", "May 2024", "2024", 12, None, "24-05"])
def test_parse_month_refuses(raw):
    assert parse_month(raw)[0] is None


def test_parse_score():
    assert parse_score("86.5") == (Fraction("86.5"), None)
    assert parse_score(101)[0] is None


@pytest.mark.parametrize(
    ("header", "normal"),
    [
        (" 月 份 ", "月份"),
        ("外包公司\u3000", "外包公司"),
        ("有效话务量（通）", "有效话务量"),
        ("业务稽核合格率(%)", "业务稽核合格率"),
        ("接通量【区域】", "接通量"),
        ("２小时重复呼叫数", "2小时重复呼叫数"),
        ("Connected Calls", "connectedcalls"),
        ("connected_calls", "connectedcalls"),
        ("(备注)", "(备注)"),
        (None, ""),
    ],
)
def test_norm_header(header, normal):
    assert norm_header(header) == normal


def test_blank_and_error():
    assert is_blank(None) and is_blank(" \u3000\u00a0") and not is_blank(0)
    assert not is_blank(NoCachedValue("=1"))
    assert is_error("#DIV/0!") and is_error(" #n/a ") and not is_error("N/A")


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(st.text(max_size=40), st.text(alphabet="0123456789,. +-%²①⓪０，．\u00a0\u200b", max_size=20))
)
def test_number_text_never_raises_and_reads_only_plain_numbers(text: str):
    number = to_fraction(text)
    for parse in (parse_count, parse_rate, parse_score, parse_month):
        value, expected = parse(text)
        assert (value is None) != (expected is None)
    if number is not None:
        plain = number_text(text).replace(",", "").replace(" ", "")
        assert set(plain) <= set("0123456789.+-") and Fraction(plain) == number


@pytest.mark.parametrize(
    ("name", "same"),
    [
        ("华信\u200b客服", "华信客服"),
        ("\ufeff华信客服\u00a0", "华信客服"),
        ("ＨＸ客服", "HX客服"),
        ("HX\u00a0 客服", "HX 客服"),
        ("联创\u00ad呼叫\u2060", "联创呼叫"),
        ("甲公 司", "甲公 司"),  # a visible space stays: a typo is not hidden
    ],
)
def test_norm_text_names(name: str, same: str):
    assert norm_text(name) == same
