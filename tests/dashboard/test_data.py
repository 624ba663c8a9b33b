"""dashboard.data: the app's setting for how many rows a detail file may hold (KPI_MAX_ROWS)."""

from __future__ import annotations

from dashboard.data import detail_limits, read_detail_part
from kpi.rules.rulebook import load_rulebook


def test_kpi_max_rows_raises_or_lowers_the_row_limit(monkeypatch):
    monkeypatch.delenv("KPI_MAX_ROWS", raising=False)
    assert detail_limits().max_rows == 20_000_000
    monkeypatch.setenv("KPI_MAX_ROWS", "30,000,000")
    assert detail_limits().max_rows == 30_000_000
    monkeypatch.setenv("KPI_MAX_ROWS", "很多")  # unreadable: the default stays
    assert detail_limits().max_rows == 20_000_000


def test_an_uploaded_csv_over_the_apps_row_limit_is_a_located_problem(monkeypatch):
    monkeypatch.setenv("KPI_MAX_ROWS", "3")
    text = "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n" + "".join(
        f"1380000000{i},2024-06-10 10:00:00,是,2024-06-10 10:00:10,A1,华信客服\n" for i in range(30)
    )
    _, _, _, problems, *_ = read_detail_part(
        b"", "x.xlsx", load_rulebook(None), (), ((text.encode(), "明细.csv"),)
    )
    assert [p.message for p in problems] == ["明细文件行数过多（上限 3 行）"]
