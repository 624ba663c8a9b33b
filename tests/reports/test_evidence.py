"""The evidence .xlsx read back: title, rule, one row per pair with times as date-times, the gap in
minutes, masked callers, and text from the detail never a formula."""

import io

import openpyxl

from kpi.detail.evidence import repeat_pairs
from kpi.reports.evidence import HEADERS, evidence_xlsx
from tests.calllog import at, call, calls

LOG = calls(
    call("13812341234", "10:00:00", "10:00:30", agent='=HYPERLINK("http://x","A1")'),
    call("13812341234", "10:45:30"),
    call("13900000002", "09:00:00", "09:01:00", agent="HX2"),
    call("13900000002", "09:30:20", "09:31:00", agent="HX1"),
)


def test_evidence_sheet():
    pairs = repeat_pairs(LOG, "2024-06", "华信客服")
    ws = openpyxl.load_workbook(io.BytesIO(evidence_xlsx(pairs, "华信客服", None, "2024-06", 120)))[
        "重复呼叫明细"
    ]
    assert ws["A1"].value == "华信客服　2024-06 二小时重复呼叫明细"
    assert ws["A2"].value.startswith(
        "共 2 通重复呼叫。规则：一通接通的电话，同一主叫在接通后 120 分钟内（含）再次进入人工队列"
    )
    assert tuple(c.value for c in ws[3]) == HEADERS
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=4)]
    assert rows == [
        (
            1, "138****1234", "C0", at("10:00:00"), at("10:00:30"), '=HYPERLINK("http://x","A1")',
            at("10:45:30"), 45, "C1", "否", None, None, "test 第 2 行", "test 第 3 行",
        ),
        (
            2, "139****0002", "C2", at("09:00:00"), at("09:01:00"), "HX2",
            at("09:30:20"), 29.33, "C3", "是", "HX1", "华信客服", "test 第 4 行", "test 第 5 行",
        ),
    ]  # fmt: skip
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.auto_filter.ref == "A3:N5"


def test_one_agent_and_no_pairs():
    ws = openpyxl.load_workbook(
        io.BytesIO(evidence_xlsx((), "华信客服", "HX9", "2024-06", 120, "queue_time"))
    )["重复呼叫明细"]
    assert ws["A1"].value == "华信客服 坐席 HX9　2024-06 二小时重复呼叫明细"
    assert "同一主叫在进入队列后 120 分钟内" in ws["A2"].value and ws["A2"].value.startswith("共 0 通")
    assert ws.max_row == 3


def test_callers_in_full_are_said_so():
    pairs = repeat_pairs(LOG, "2024-06", "华信客服", masked=False)
    ws = openpyxl.load_workbook(
        io.BytesIO(evidence_xlsx(pairs, "华信客服", None, "2024-06", 120, masked=False))
    )["重复呼叫明细"]
    assert ws["A2"].value.endswith("间隔自首次接通时刻起算。主叫号码完整显示，请妥善保管。")
    assert [ws.cell(r, 2).value for r in (4, 5)] == ["13812341234", "13900000002"]
    masked = openpyxl.load_workbook(io.BytesIO(evidence_xlsx(pairs[:0], "华信客服", None, "2024-06", 120)))
    assert masked["重复呼叫明细"]["A2"].value.endswith("主叫号码已隐去中间几位。")
