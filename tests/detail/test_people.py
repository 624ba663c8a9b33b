"""kpi.detail.people.check_agents on the calls: an agent id answered under two vendors, named at the
first row of the second pair; calls not answered do not count."""

from __future__ import annotations

from unittest.mock import patch

from kpi.detail.reader import read_detail

HEADER = "主叫号码,入队时间,是否接通,接通时间,坐席工号,外包公司\n"


def _line(agent: str, vendor: str, connected: bool = True, minute: int = 0) -> str:
    answer = f"2024-06-10 10:{minute:02d}:10" if connected else ""
    return f"1380000{minute:04d},2024-06-10 10:{minute:02d}:00,{'是' if connected else '否'},{answer},{agent},{vendor}\n"


def test_an_agent_answering_for_two_vendors_is_named_at_the_first_call_of_the_second(tmp_path):
    lines = [
        _line("A1", "华信客服", minute=1),  # row 2
        _line("B1", "联创呼叫", minute=2),
        _line("A1", "华信客服", minute=3),
        _line("A1", "联创呼叫", minute=4),  # row 5: A1's second vendor
        _line("A1", "联创呼叫", minute=5),
        _line("B1", "华信客服", connected=False, minute=6),  # not answered: B1 stays one vendor's
        _line("", "华信客服", connected=False, minute=7),
    ]
    path = tmp_path / "明细.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    for step in (2, 1 << 20):  # a million rows at a time, and 2: the pairs met again in later steps
        with patch("kpi.detail.cells.STEP", step):
            data = read_detail(path)
        assert [str(p) for p in data.problems] == [
            "文件「明细.csv」，第 5 行，「外包公司」列：同一坐席工号出现在两家外包公司："
            "发现「A1：华信客服、联创呼叫」，应为每个坐席工号只属于一家外包公司"
        ]
