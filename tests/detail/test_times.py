"""kpi.detail.times: the one-cast reading of the common shape gives what the careful reading gives."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from kpi.detail.times import AUTO, TimeReading, _common_text, _parse_time_strings, to_time


def _careful(values: list[str | None], reading: TimeReading = AUTO) -> list[object]:
    return _parse_time_strings(pa.array(values, pa.string()), reading).to_pylist()


def test_common_shape_is_read_by_one_cast_as_the_careful_way_reads_it() -> None:
    values = ["2024-06-01 09:30:00", "", "2024-06-30T23:59:59", "2024-07-01 00:00:00"]
    assert _common_text(pa.array(values), TimeReading()) is not None
    stamps, bad = to_time(pa.array(values))
    assert stamps.to_pylist() == _careful(values)
    assert [str(s) for s in stamps.to_pylist()] == [
        "2024-06-01 09:30:00",
        "None",
        "2024-06-30 23:59:59",
        "2024-07-01 00:00:00",
    ]
    assert not bad.any()


def test_common_shape_moves_to_the_rulebook_zone_like_the_careful_way() -> None:
    values = ["2024-06-01 01:00:00", "2024-06-01 02:00:00"]
    reading = TimeReading(zone="UTC", target="Asia/Shanghai")
    stamps, _ = to_time(pa.array(values), reading)
    assert stamps.to_pylist() == _careful(values, reading)
    assert str(stamps[0].as_py()) == "2024-06-01 09:00:00"


def test_any_other_cell_sends_the_column_the_careful_way() -> None:
    for odd in (
        "2024-02-30 00:00:00",
        "2024-06-01 23:59:60",
        "2024/06/01 09:30:00",
        " 2024-06-01 09:30",
        "x",
    ):
        values = ["2024-06-01 09:30:00", odd]
        assert _common_text(pa.array(values), TimeReading()) is None
        stamps, bad = to_time(pa.array(values))
        assert stamps.to_pylist() == _careful(values)
        assert bad.tolist() == pc.is_null(stamps).to_pylist()
    # what the careful way makes of an impossible day is kept, whatever it is (a cast would refuse it)
    stamps, _ = to_time(pa.array(["2024-02-30 00:00:00", "2024-06-01 09:30:00"]))
    assert stamps.to_pylist() == _careful(["2024-02-30 00:00:00", "2024-06-01 09:30:00"])


def test_a_profile_format_is_never_read_by_the_cast() -> None:
    reading = TimeReading(fmt="%Y-%m-%d %H:%M:%S")
    assert _common_text(pa.array(["2024-06-01T09:30:00"]), reading) is None
    stamps, bad = to_time(pa.array(["2024-06-01T09:30:00"]), reading)
    assert stamps.to_pylist() == [None]
    assert np.array_equal(bad, [True])


@pytest.mark.parametrize(
    "cell",
    [
        "2024-02-30 00:00:00",
        "2024-06-31 12:00:00",
        "2024-06-01 23:59:60",
        "2024/02/30 10:00",
        "20240230000000",
        "2023-02-29",
    ],
)
def test_an_impossible_date_or_second_is_unreadable_not_moved_to_another_day(cell: str) -> None:
    """Arrow's strptime rolls 02-30 over to 03-01 and :60 to the next minute; those cells are refused."""
    out, bad = to_time(pa.array([cell, "2024-06-01 09:30:00"]), AUTO)
    assert out.to_pylist()[0] is None and bad.tolist() == [True, False]


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("2024-6-1 9:30:00", "2024-06-01 09:30:00"),
        ("2024/02/29 10:00", "2024-02-29 10:00:00"),
        ("20240601093000", "2024-06-01 09:30:00"),
    ],
)
def test_possible_dates_written_loosely_still_read(cell: str, read: str) -> None:
    out, bad = to_time(pa.array([cell]), AUTO)
    assert str(out.to_pylist()[0]) == read and not bad.any()


def test_a_profile_format_refuses_an_impossible_day_too() -> None:
    out, bad = to_time(
        pa.array(["30/02/2024 10:00:00", "29/02/2024 10:00:00"]), TimeReading(fmt="%d/%m/%Y %H:%M:%S")
    )
    assert (
        out.to_pylist()[0] is None
        and str(out.to_pylist()[1]) == "2024-02-29 10:00:00"
        and bad.tolist() == [True, False]
    )
