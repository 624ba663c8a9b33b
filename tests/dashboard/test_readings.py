"""评分卡 · 条款解读对得分的影响: the app shows the `kpi readings` rows of the chosen vendor-month."""

from __future__ import annotations

import json
from decimal import Decimal

from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from dashboard.views.readings import readings_frame
from kpi.cli.commands import main
from kpi.scoring.readings import ReadingRow
from tests.paths import ROOT, SAMPLE

APP = str(ROOT / "dashboard" / "app.py")


def test_scorecard_page_shows_the_readings_table_as_kpi_readings_gives_it():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.sidebar.selectbox(key="vendor").set_value("联创呼叫").run()
    at.switch_page("app_pages/scorecard.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "条款解读对得分的影响" in [h.value for h in at.subheader]
    table = next(f.value for f in at.dataframe if "解读" in f.value.columns)
    assert list(table.columns) == ["条款", "解读", "总分", "结算金额(元)", "总分变化", "金额变化(元)"]
    cli = CliRunner().invoke(
        main, ["readings", str(SAMPLE), "--month", "2024-06", "--vendor", "联创呼叫", "--format", "json"]
    )
    expected = json.loads(cli.output)
    assert list(table["解读"].str.removesuffix("（规则本）")) == [r["reading"] for r in expected]
    assert list(table["总分"]) == [r["total_score"] for r in expected]
    assert list(table["总分变化"]) == [r["delta_total"] for r in expected]
    extend = table[table["解读"] == "高于 17% 沿直线延伸（不低于 0 分）"].iloc[0]
    assert (extend["总分"], extend["结算金额(元)"], extend["总分变化"]) == ("29.40", "1,495.15", "+10.26")


def test_readings_frame_keeps_one_vendor():
    row = ReadingRow(
        "甲",
        "2024-05",
        "话题",
        "条款",
        "解读",
        False,
        True,
        Decimal("63.53"),
        Decimal("4459.05"),
        Decimal(0),
        Decimal(0),
    )
    other = ReadingRow(
        "乙",
        "2024-05",
        "话题",
        "条款",
        "解读",
        False,
        False,
        Decimal("60.53"),
        Decimal("4209.15"),
        Decimal("-3.00"),
        Decimal("-249.90"),
    )
    frame = readings_frame([row, other], "乙")
    assert frame.values.tolist() == [["话题", "解读", "60.53", "4,209.15", "-3.00", "-249.90"]]


def test_settlement_page_says_which_settlement_rule_was_assumed():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/settlement.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "结算规则：系数 = 总分 ÷ 100（合同未规定得分与金额的换算，此为规则本的假设）" in [
        c.value for c in at.caption
    ]


def test_readings_read_the_detail_through_the_chosen_source(tmp_path):
    """With a platform export and its source profile, the readings are those of `kpi readings --source`
    (they used to read the extra files with our own headers and show nothing)."""
    from dashboard import data as d
    from tests import platform_files as pf

    log, roster = tmp_path / "queue_log.txt", tmp_path / "坐席名册.csv"
    log.write_bytes(pf.queue_log(pf.sample_calls()))
    roster.write_bytes(pf.roster_csv(lambda a: f"SIP/{a}"))
    extra = ((log.read_bytes(), log.name), (roster.read_bytes(), roster.name))
    rows = d.readings_bytes(
        SAMPLE.read_bytes(), SAMPLE.name, d.default_rules_text(), d.DEFAULT_RULES_SOURCE, "2024-06", extra,
        d.builtin_source("asterisk-queue-log"),
    )  # fmt: skip
    cli = CliRunner().invoke(
        main,
        ["readings", str(SAMPLE), "--month", "2024-06", "--vendor", "华信客服", "--format", "json",
         "--detail", str(log), "--detail", str(roster), "--source", "asterisk-queue-log"],
    )  # fmt: skip
    expected = json.loads(cli.output)
    assert expected[0]["payout"] == "7321.33"  # not the workbook-only 7,300.62: the log's calls count
    mine = [r for r in rows if r.vendor == "华信客服"]
    assert [(r.reading, str(r.total), str(r.payout)) for r in mine] == [
        (r["reading"], r["total_score"], r["payout"]) for r in expected
    ]
