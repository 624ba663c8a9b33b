"""kpi.detail.times: the one-cast reading of the common shape gives what the careful reading gives."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
