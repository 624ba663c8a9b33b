from __future__ import annotations

import json
from fractions import Fraction

from kpi.detail.measure import measure_detail
from kpi.detail.reader import DetailData
from kpi.detail.reconcile import apply_detail, flagged_rows, reconcile
from kpi.records import VendorMonth
from kpi.reports.reconciliation import format_table, reconciliation_frame
from tests.calllog import call, calls

A, B, C = "13800000001", "13900000002", "13700000003"


def summary(vendor: str, month: str = "2024-06", **inputs) -> VendorMonth:
    base = {
        "connected_calls": 3,
        "valid_calls": 3,
        "repeat_2h_calls": 1,
        "expert_transfers": 0,
        "dial_tests": 100,
    }
    return VendorMonth(vendor, month, {**base, **inputs}, dict.fromkeys({**base, **inputs}, "summary"), row=2)


def detail_measure():
    log = calls(
        call(A, "10:00:00", "10:00:10", agent="X1"),
        call(A, "10:30:00", "10:30:10", agent="X1"),  # repeat of the first, and itself repeated
        call(A, "11:00:00"),
        call(B, "10:00:00", "10:00:10", agent="X2", expert=True),
    )
    return measure_detail(DetailData(calls=log), "2024-06")


def test_summary_claiming_fewer_repeats_is_flagged_with_the_numbers():
    rows = reconcile([summary("华信客服", connected_calls=3, repeat_2h_calls=1)], detail_measure())
    by_key = {r.key: r for r in rows}
    repeat = by_key["repeat_2h_calls"]
    assert (repeat.label, repeat.summary, repeat.detail, repeat.difference, repeat.flagged) == (
        "2小时重复呼叫数",
        1,
        2,
        1,
        True,
    )
    assert by_key["connected_calls"].flagged is False
    transfers = by_key["expert_transfers"]
    assert (transfers.summary, transfers.detail, transfers.difference, transfers.flagged) == (0, 1, 1, True)
    assert [r.key for r in flagged_rows(rows)] == ["repeat_2h_calls", "expert_transfers"]
    text = format_table(rows)
    assert "2小时重复呼叫数" in text and "⚠" in text
    assert json.loads(json.dumps([r.to_dict() for r in rows]))[2]["difference"] == 1


def test_vendor_missing_on_either_side_is_flagged():
    rows = reconcile(
        [summary("华信客服", repeat_2h_calls=2, expert_transfers=1), summary("联创呼叫")], detail_measure()
    )
    missing = [r for r in rows if r.vendor == "联创呼叫"]
    assert {(r.key, r.summary, r.detail, r.flagged) for r in missing} == {
        ("connected_calls", 3, 0, True),
        ("valid_calls", 3, 0, True),
        ("repeat_2h_calls", 1, 0, True),
        ("expert_transfers", 0, 0, False),
    }
    assert not flagged_rows([r for r in rows if r.vendor == "华信客服"])
    only_detail = reconcile([], detail_measure())
    assert all(r.flagged and r.summary is None and r.difference is None for r in only_detail)


def test_other_months_are_not_reconciled_or_changed():
    may = summary("华信客服", month="2024-05")
    rows = reconcile([may], detail_measure())  # June's detail has no June summary line to check
    assert {(r.month, r.summary, r.flagged) for r in rows} == {("2024-06", None, True)}
    assert apply_detail([may], detail_measure()) == (may,)


def test_apply_detail_takes_detail_figures_and_marks_their_source():
    june = summary("华信客服", connected_calls=9, repeat_2h_calls=0, exam_average=Fraction(80))
    (record,) = apply_detail([june], detail_measure())
    assert record.inputs["connected_calls"] == 3
    assert record.inputs["repeat_2h_calls"] == 2
    assert record.inputs["expert_transfers"] == 1
    assert record.inputs["dial_tests"] == 100  # not in the detail: the summary's
    assert record.inputs["exam_average"] == Fraction(80)  # no exam sheet given
    assert record.sources["repeat_2h_calls"] == "detail"
    assert record.sources["dial_tests"] == "summary"
    assert (record.vendor, record.month, record.row) == ("华信客服", "2024-06", 2)


def test_exam_average_within_printing_tolerance_is_not_flagged():
    import pandas as pd

    exam = pd.DataFrame(
        {"agent_id": ["X1", "X2", "X3"], "vendor": ["华信客服"] * 3, "score": [80.0, 82.5, 83.0]}
    )
    m = measure_detail(DetailData(exam=exam), "2024-06")
    rows = reconcile([summary("华信客服", exam_takers=3, exam_average=Fraction("81.8"))], m)
    avg = next(r for r in rows if r.key == "exam_average")
    assert avg.detail == Fraction(491, 6)  # 81.8333…
    assert avg.flagged is False
    rows = reconcile([summary("华信客服", exam_takers=3, exam_average=Fraction("81.7"))], m)
    assert next(r for r in rows if r.key == "exam_average").flagged is True
    (record,) = apply_detail([summary("华信客服")], m)
    assert record.exam_scores == (Fraction(80), Fraction(165, 2), Fraction(83))


def test_calls_that_cannot_be_judged_are_said_on_the_scorecard(rules):
    from kpi.reports.scorecards import explain, scorecard_dict
    from kpi.scoring.scorecard import score
    from tests.builders import vendor_month

    log = calls(
        call(A, "2024-06-30 23:00:00", "2024-06-30 23:00:10", agent="X1"),  # window ends 01:00 on 1 July
        call(B, "2024-06-30 23:30:00", "2024-06-30 23:30:10", agent="X2"),
        call(B, "2024-06-30 23:45:00"),  # B re-enters: a repeat, judged although its window runs past the end
    )
    measure = measure_detail(DetailData(calls=log), "2024-06")
    assert measure.not_judgeable == 1 and measure.window_minutes == 120
    base = vendor_month()
    (record,) = apply_detail([VendorMonth("华信客服", "2024-06", base.inputs, base.sources)], measure)
    note = (
        "话务明细：1 通接通电话的 120 分钟窗口超出明细数据的截止时间，且未见再次呼入，无法判定，按非重复计。"
    )
    partial = (
        "2024-06 的话务明细只覆盖部分月份：最早的呼叫在 06-30 23:00（月初之后超过 1 天）。"
        "该月按明细中的呼叫计算，请核对是否缺少数据。"
    )  # three calls on the last evening: the scorecard names the month as partly covered
    assert record.notes == (partial, note)
    card = score(record, rules)
    assert scorecard_dict(card)["notes"] == [partial, note]
    assert explain(card).endswith("说明：" + partial + "\n说明：" + note)


def test_reconciliation_frame_holds_text_columns_for_the_app():
    rows = reconcile([summary("华信客服", connected_calls=1234, repeat_2h_calls=1)], detail_measure())
    frame = reconciliation_frame(rows)
    assert list(frame.columns) == ["月份", "外包公司", "指标", "汇总表", "明细", "差异(明细−汇总)", "核对"]
    assert frame.iloc[0][["指标", "汇总表", "明细", "差异(明细−汇总)", "核对"]].tolist() == [
        "接通量",
        "1,234",
        "3",
        "-1,231",
        "⚠ 不一致",
    ]
    assert {type(v) for v in frame["汇总表"]} == {str}


def test_apply_detail_keeps_an_exam_stated_not_held_unless_the_detail_shows_takers():
    from dataclasses import replace

    from kpi.detail.measure import DetailMeasure, VendorDetail

    not_held = replace(summary("华信客服", exam_takers=0), not_held=frozenset({"exam_average"}))
    nobody = DetailMeasure(
        "2024-06", (VendorDetail("华信客服", "2024-06", exam_takers=0, has_exam=True),), ()
    )
    sat = DetailMeasure(
        "2024-06",
        (VendorDetail("华信客服", "2024-06", exam_takers=3, exam_average=Fraction(80), has_exam=True),),
        (),
    )
    assert apply_detail([not_held], nobody)[0].not_held == frozenset({"exam_average"})
    assert apply_detail([not_held], sat)[0].not_held == frozenset()


def test_a_vendor_with_roster_rows_but_no_calls_is_not_paid_0_without_a_word(tmp_path):
    """乙公司 claims 9,800 valid calls; the detail has its agents on the roster but none of its calls.
    Taking the detail's figures would pay it 0: every command that scores refuses, naming its row."""
    import openpyxl
    from click.testing import CliRunner

    from kpi.cli.commands import main
    from tests.builders import SPEC_EXAMPLE, write_summary

    path = write_summary(tmp_path / "book.xlsx", [SPEC_EXAMPLE, {**SPEC_EXAMPLE, "vendor": "乙公司"}])
    book = openpyxl.load_workbook(path)
    calls = book.create_sheet("话务明细")
    calls.append(["主叫号码", "入队时间", "是否接通", "接通时间", "坐席工号", "外包公司"])
    calls.append(["13800000001", "2024-05-10 10:00:00", "是", "2024-05-10 10:00:10", "J1", "甲公司"])
    roster = book.create_sheet("坐席名册")
    roster.append(["坐席工号", "外包公司", "上岗日期"])
    roster.append(["J1", "甲公司", "2023-01-01"])
    roster.append(["Y1", "乙公司", "2023-01-01"])
    book.save(path)
    line = (
        "  1. 文件「book.xlsx」，工作表「月度指标」，第 3 行，「有效话务量」列：话务明细中乙公司没有一通有效电话，"
        "按明细结算应付金额将为 0 元：发现「9800」，应为该公司 2024-05 的话务明细（缺了就另附 --detail 明细文件），"
        "或确认后加 --use-summary 按汇总表结算"
    )
    for args in (
        ["score"],
        ["explain", "--vendor", "甲公司"],
        ["settle", "-o", str(tmp_path / "s.xlsx")],
        ["validate"],
    ):
        result = CliRunner().invoke(main, [args[0], str(path), *args[1:]])
        assert result.exit_code == 1, args
        assert result.output.splitlines()[1] == line, args
    assert not (tmp_path / "s.xlsx").exists()
    # reconcile shows the evidence, flagged; the summary can be used on purpose
    rows = CliRunner().invoke(main, ["reconcile", str(path), "--format", "json"]).output
    assert '"vendor": "乙公司",\n    "month": "2024-05",\n    "key": "valid_calls"' in rows
    used = CliRunner().invoke(
        main, ["score", str(path), "--use-summary", "--vendor", "乙公司", "--format", "json"]
    )
    assert used.exit_code == 0 and '"valid_calls": 9800' in used.output
