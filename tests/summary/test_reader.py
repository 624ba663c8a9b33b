"""Reading the summary sheet: headers in Chinese or English, rates in three forms, located errors."""

from fractions import Fraction
from pathlib import Path

from kpi.inputs import SUMMARY_COLUMNS
from kpi.summary.reader import read_summary
from tests.builders import SPEC_EXAMPLE, write_summary


def test_reads_spec_example_under_a_title_row(tmp_path: Path):
    path = write_summary(tmp_path / "m.xlsx", [SPEC_EXAMPLE], title="2024年5月外包考核数据")
    records, problems = read_summary(path)
    assert problems == []
    (vm,) = records
    assert (vm.vendor, vm.month, vm.row) == ("甲公司", "2024-05", 3)
    assert vm.get("audit_pass_rate") == Fraction("93.5") and vm.get("exam_average") == 72
    assert vm.get("emergency_expected") is None


def test_english_keys_and_rate_forms(tmp_path: Path):
    rows = [
        dict(SPEC_EXAMPLE, vendor=v, audit_pass_rate=r)
        for v, r in (("A", 0.935), ("B", 93.5), ("C", "93.5%"))
    ]
    path = write_summary(tmp_path / "e.xlsx", rows, headers=[c.key for c in SUMMARY_COLUMNS])
    records, problems = read_summary(path)
    assert problems == []
    assert [r.get("audit_pass_rate") for r in records] == [Fraction("93.5")] * 3


def test_every_problem_at_once_and_located(tmp_path: Path):
    rows = [
        dict(SPEC_EXAMPLE, connected_calls=None),  # row 2: blank required
        dict(SPEC_EXAMPLE, vendor="乙", dial_tests="abc"),  # row 3: not a number
        dict(SPEC_EXAMPLE, vendor="丙", service_complaints=-1),  # row 4: negative
        dict(SPEC_EXAMPLE, vendor="丁", tickets_correct=201),  # row 5: correct > sampled
        dict(SPEC_EXAMPLE, vendor="戊"),
        dict(SPEC_EXAMPLE, vendor="戊"),  # row 7: duplicate vendor-month
        dict(SPEC_EXAMPLE, vendor="己", audit_pass_rate=1),  # row 8: 1% or 100%?
    ]
    path = write_summary(tmp_path / "bad.xlsx", rows)
    _, problems = read_summary(path)
    assert [str(p) for p in problems] == [
        "文件「bad.xlsx」，工作表「月度指标」，第 2 行，「接通量」列：必填单元格为空（空白不等于 0）：发现「（空）」，应为填写数值；确实为零请填 0",
        "文件「bad.xlsx」，工作表「月度指标」，第 3 行，「质量拨测数」列：无法识别的值：发现「abc」，应为非负整数",
        "文件「bad.xlsx」，工作表「月度指标」，第 4 行，「成立服务投诉数」列：不能为负数：发现「-1」，应为非负整数",
        "文件「bad.xlsx」，工作表「月度指标」，第 5 行，「工单抽测正确数」列：不能大于「工单抽测数」（200）：发现「201」，应为≤ 200",
        "文件「bad.xlsx」，工作表「月度指标」，第 7 行，「外包公司」列：同一外包公司同一月份重复（与第 6 行重复）：发现「戊 2024-05」，应为每个外包公司每月一行",
        "文件「bad.xlsx」，工作表「月度指标」，第 8 行，「业务稽核合格率」列：无法识别的值：发现「1」，应为明确的百分比：1 既可能是 1% 也可能是 100%，请写成「1%」或「100%」",
    ]


def test_missing_column(tmp_path: Path):
    headers = [c.header for c in SUMMARY_COLUMNS]
    headers[headers.index("接通量")] = "备注"
    path = write_summary(tmp_path / "m.xlsx", [SPEC_EXAMPLE], headers=headers)
    _, problems = read_summary(path)
    assert [str(p) for p in problems] == [
        "文件「m.xlsx」，工作表「月度指标」，第 1 行，「接通量」列：缺少必需的列，应为列名「接通量」"
    ]


def test_misspelt_header_is_named_with_its_column_letter(tmp_path: Path):
    headers = [c.header for c in SUMMARY_COLUMNS]
    headers[headers.index("接通量")] = "接通数量"
    path = write_summary(tmp_path / "m.xlsx", [SPEC_EXAMPLE], headers=headers)
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[headers.index("接通数量")]
    _, problems = read_summary(path)
    assert [str(p) for p in problems] == [
        f"文件「m.xlsx」，工作表「月度指标」，第 1 行，「{letter}」列：缺少必需的列「接通量」，该列表头无法识别："
        f"发现「接通数量」，应为「接通量」（若 {letter} 列就是这一列，请把表头改为「接通量」）"
    ]


def test_text_renamed_xlsx_is_not_excel(tmp_path: Path):
    path = tmp_path / "说明.xlsx"
    path.write_text("这是一份说明文字，不是表格。\n第二行\n", encoding="utf-8")
    _, problems = read_summary(path)
    assert [str(p) for p in problems] == [
        "文件「说明.xlsx」：文件扩展名是 .xlsx，但内容是纯文本，不是 Excel 工作簿，"
        "应为Excel 工作簿（在 Excel/WPS 中另存为 .xlsx），或带表头的 CSV 文件"
    ]


def test_exam_not_held_is_stated_held_with_no_takers_is_blank(tmp_path: Path):
    rows = [
        dict(SPEC_EXAMPLE, vendor="甲", exam_takers=0, exam_average="未组织"),
        dict(SPEC_EXAMPLE, vendor="乙", exam_takers=0, exam_average="本月无考试"),
        dict(SPEC_EXAMPLE, vendor="丙", exam_takers=0, exam_average=None),  # held, sat by nobody
    ]
    records, problems = read_summary(write_summary(tmp_path / "m.xlsx", rows))
    assert problems == []
    assert [(r.vendor, r.get("exam_average"), sorted(r.not_held)) for r in records] == [
        ("甲", None, ["exam_average"]),
        ("乙", None, ["exam_average"]),
        ("丙", None, []),
    ]


def test_exam_not_held_with_takers_is_a_located_problem(tmp_path: Path):
    rows = [
        dict(SPEC_EXAMPLE, exam_takers=65, exam_average="无考试"),
        dict(SPEC_EXAMPLE, vendor="乙", exam_average="没考"),
    ]
    _, problems = read_summary(write_summary(tmp_path / "bad.xlsx", rows))
    assert [str(p) for p in problems] == [
        "文件「bad.xlsx」，工作表「月度指标」，第 2 行，「参考人数」列：考试平均分写明本月未组织考试，参考人数却为 65：发现「65」，应为0（本月未组织考试），或在考试平均分填写平均分",
        "文件「bad.xlsx」，工作表「月度指标」，第 3 行，「考试平均分」列：无法识别的值：发现「没考」，应为0～100 之间的分数；本月未组织时填「未组织」",
    ]
