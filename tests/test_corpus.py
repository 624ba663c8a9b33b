"""The corpus: bad and odd monthly workbooks, each with its exact outcome.

A case is a file (built here with a real writer — openpyxl, xlsxwriter, Python's csv encodings — or
committed under tests/corpus/, made by LibreOffice) and either the exact located problems or what
must be read from it. `kpi validate` on every bad file exits 1 listing the same problems.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from kpi.cli.commands import main
from kpi.files.safety import Limits
from kpi.summary.reader import read_summary, read_summary_bytes
from tests.paths import CORPUS, SAMPLE
from tests.workbooks import HEADERS, KEYS, LAUGHS, csv_bytes, lying_sizes, rezip, row, two_rows, xlsx_bytes

F = "文件「{}」"


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    make: Callable[[], bytes]
    problems: tuple[str, ...] = ()  # exact texts, in order; empty: the file must read cleanly
    read: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)  # (vendor, month) → values
    limits: Limits | None = None


def corpus(name: str) -> Callable[[], bytes]:
    return lambda: (CORPUS / name).read_bytes()


def at(file: str, row: int, column: str, text: str, sheet: str = "月度指标") -> str:
    return f"文件「{file}」，工作表「{sheet}」，第 {row} 行，「{column}」列：{text}"


def col(key: str) -> int:
    return KEYS.index(key)


def with_header(changes: dict[int, str]) -> list[str]:
    headers = list(HEADERS)
    for i, h in changes.items():
        headers[i] = h
    return headers


def xlsxwriter_bytes() -> bytes:
    """xlsxwriter: numbers written as text, a stored 0.93456 shown as 93.5%, a date month."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("月度指标")
    pct = book.add_format({"num_format": "0.0%"})
    month = book.add_format({"num_format": "yyyy/m"})
    ws.write_row(0, 0, HEADERS)
    values = row(
        valid_calls="12,345", connected_calls=" 51688 ", repeat_2h_calls="７１２９", dial_tests="80\u00a0"
    )
    for c, v in enumerate(values):
        if c == col("month"):
            ws.write_datetime(1, c, dt.datetime(2024, 5, 1), month)
        elif c == col("audit_pass_rate"):
            ws.write_number(1, c, 0.93456, pct)
        elif v is not None:
            ws.write(1, c, v)
    book.close()
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


def bomb() -> bytes:
    """A valid workbook plus one entry of 60 MB of zeros (≈ 60 KB compressed)."""
    return rezip(xlsx_bytes(two_rows()), {"xl/media/image1.bin": b"\0" * 60_000_000})


def many_entries() -> bytes:
    return rezip(xlsx_bytes(two_rows()), {f"xl/media/{i}.bin": b"" for i in range(6000)})


def entity_bomb() -> bytes:
    """A billion-laughs DOCTYPE in the worksheet itself (three levels here: the point is refusal)."""
    return rezip(xlsx_bytes(two_rows()), {"xl/worksheets/sheet1.xml": LAUGHS})


def huge_dimension() -> bytes:
    data = xlsx_bytes(two_rows())
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b'ref="A1:Z3"', b'ref="A1:XFD1048576"')})


def far_cell() -> bytes:
    """No <dimension>, but a cell at row 1,000,000: the running cell count stops the read."""
    data = xlsx_bytes(two_rows())
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:Z3" />', b"").replace(
        b"</sheetData>", b'<row r="1000000"><c r="A1000000" t="n"><v>1</v></c></row></sheetData>'
    )
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet})


def uncached_formulas() -> bytes:
    return xlsx_bytes(
        [row(connected_calls="=SUM(1,2)*20000"), row(vendor="联创呼叫", exam_average="=AVERAGE(B9:B10)")]
    )


CRAZY = "＝1＋1"
GOOD_READ = {
    ("华信客服", "2024-05"): {"connected_calls": 51688},
    ("联创呼叫", "2024-05"): {"connected_calls": 31000},
}

CASES = [
    # ---- read correctly ------------------------------------------------------------------------
    Case("openpyxl-plain", "plain.xlsx", lambda: xlsx_bytes(two_rows()), read=GOOD_READ),
    Case(
        "truncated-xls",
        "cut.xls",
        lambda: (CORPUS / "lo_title.xls").read_bytes()[:5000],
        problems=(
            F.format("cut.xls")
            + "：无法读取 Excel 文件（文件已损坏），应为在 Excel/WPS 中打开后另存为 .xlsx 再导入",
        ),
    ),
    Case(
        "title-merged-blank-total-note",
        "title.xlsx",
        lambda: xlsx_bytes(
            [
                row(),
                [],
                row(vendor="联创呼叫", connected_calls=31000),
                ["合计", None, 1],
                ["备注：以上数据来自 ACD"],
            ],
            title="2024年5月外包考核数据",
        ),
        read=GOOD_READ,
    ),
    Case(
        "odd-headers-nfkc-brackets-units",
        "headers.xlsx",
        lambda: xlsx_bytes(
            two_rows(),
            headers=with_header(
                {
                    0: " 月 份 ",
                    1: "外包公司\u3000",
                    2: "有效话务量（通）",
                    3: "承接通话量",
                    4: "２小时重复呼叫数",
                }
            ),
        ),
        read=GOOD_READ,
    ),
    Case(
        "english-keys-as-headers",
        "english.xlsx",
        lambda: xlsx_bytes(two_rows(), headers=[k.replace("_", " ").title() for k in KEYS]),
        read=GOOD_READ,
    ),
    Case(
        "numbers-as-text",
        "text-numbers.xlsx",
        lambda: xlsx_bytes(
            [
                row(
                    valid_calls="12,345",
                    connected_calls=" 51688 ",
                    repeat_2h_calls="７１２９",
                    dial_tests="80\u00a0",
                )
            ]
        ),
        read={
            ("华信客服", "2024-05"): {
                "valid_calls": 12345,
                "connected_calls": 51688,
                "repeat_2h_calls": 7129,
                "dial_tests": 80,
            }
        },
    ),
    Case(
        "xlsxwriter-text-numbers-percent-date",
        "xlsxwriter.xlsx",
        xlsxwriter_bytes,
        read={("华信客服", "2024-05"): {"valid_calls": 12345, "audit_pass_rate": Fraction("93.456")}},
    ),
    Case(
        "percentages-every-way",
        "rates.xlsx",
        lambda: xlsx_bytes(
            [
                row(audit_pass_rate="93.5%"),
                row(vendor="B", audit_pass_rate=0.935),
                row(vendor="C", audit_pass_rate=93.5),
                row(vendor="D", audit_pass_rate=1.0),
            ],
            formats={"V5": "0%"},
        ),
        read={(v, "2024-05"): {"audit_pass_rate": Fraction("93.5")} for v in ("华信客服", "B", "C")}
        | {("D", "2024-05"): {"audit_pass_rate": 100}},
    ),
    Case(
        "months-every-way",
        "months.xlsx",
        lambda: xlsx_bytes(
            [
                row(month="2024/5"),
                row(vendor="B", month="2024年5月"),
                row(vendor="C", month=dt.datetime(2024, 5, 17)),
                row(vendor="D", month=45413),
                row(vendor="E", month="２０２４－０５"),
            ]
        ),
        read={(v, "2024-05"): {} for v in ("华信客服", "B", "C", "D", "E")},
    ),
    Case(
        "hidden-old-copy-visible-chosen",
        "hidden.xlsx",
        lambda: _hidden_copy(),
        read=GOOD_READ,
    ),
    Case(
        "sheet-alias",
        "alias.xlsx",
        lambda: xlsx_bytes(two_rows(), sheet="汇总", extra={"说明": [["x"]]}),
        read=GOOD_READ,
    ),
    Case(
        "sheet-name-contains",
        "contains.xlsx",
        lambda: xlsx_bytes(two_rows(), sheet="2024年5月 月度指标", extra={"说明": [["x"]]}),
        read=GOOD_READ,
    ),
    Case("csv-utf8-bom", "bom.csv", lambda: csv_bytes(two_rows(), "utf-8-sig"), read=GOOD_READ),
    Case("csv-utf8", "plain.csv", lambda: csv_bytes(two_rows(), "utf-8"), read=GOOD_READ),
    Case("csv-gbk", "gbk.csv", lambda: csv_bytes(two_rows(), "gbk"), read=GOOD_READ),
    Case(
        "csv-gb18030-beyond-gbk",
        "gb18030.csv",
        lambda: csv_bytes([row(vendor="䶮联客服")], "gb18030"),
        read={("䶮联客服", "2024-05"): {}},
    ),
    Case(
        "excel-unicode-text-utf16-tabs",
        "unicode.txt",
        lambda: csv_bytes(two_rows(), "utf-16", "\t"),
        read=GOOD_READ,
    ),
    Case("xlsx-renamed-csv", "renamed.csv", lambda: xlsx_bytes(two_rows()), read=GOOD_READ),
    Case("csv-renamed-xlsx", "renamed.xlsx", lambda: csv_bytes(two_rows()), read=GOOD_READ),
    Case(
        "lo-title-decimals-formulas",
        "lo_title.xlsx",
        corpus("lo_title.xlsx"),
        read=(
            _lo := {
                ("华信客服", "2024-05"): {"connected_calls": 51688, "audit_pass_rate": Fraction("96.234")},
                ("联创呼叫", "2024-05"): {"valid_calls": 30000, "exam_average": Fraction("72.456")},
            }
        ),
    ),
    Case("lo-legacy-xls", "lo_title.xls", corpus("lo_title.xls"), read=_lo),
    Case("lo-xlsx-renamed-xls", "renamed.xls", corpus("lo_title.xlsx"), read=_lo),
    # ---- refuse: not a workbook -------------------------------------------------------------------
    Case(
        "empty-file",
        "empty.xlsx",
        lambda: b"",
        problems=(F.format("empty.xlsx") + "：文件是空的，应为Excel 工作簿（.xlsx/.xls）或 CSV 文件",),
    ),
    Case(
        "png",
        "photo.xlsx",
        lambda: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)),
        problems=(
            F.format("photo.xlsx") + "：不是可识别的表格文件，应为Excel 工作簿（.xlsx/.xls）或 CSV 文件",
        ),
    ),
    Case(
        "pdf",
        "report.xls",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        problems=(
            F.format("report.xls") + "：这是 PDF 文件，不是表格，应为Excel 工作簿（.xlsx/.xls）或 CSV 文件",
        ),
    ),
    Case(
        "html-saved-as-xls",
        "export.xls",
        lambda: "<html><body><table><tr><td>月份</td></tr></table></body></html>".encode(),
        problems=(
            F.format("export.xls")
            + "：这是网页（HTML）文件，只是扩展名像 Excel，应为在 Excel/WPS 中打开后另存为 .xlsx 再导入",
        ),
    ),
    Case(
        "docx-zip",
        "memo.xlsx",
        lambda: zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),
        problems=(
            F.format("memo.xlsx")
            + "：这是一个压缩包（zip），不是 Excel 工作簿，或文件已损坏，应为Excel 工作簿（.xlsx/.xls）或 CSV 文件",
        ),
    ),
    Case(
        "truncated-xlsx",
        "cut.xlsx",
        lambda: xlsx_bytes(two_rows())[:3000],
        problems=(
            F.format("cut.xlsx")
            + "：这是一个压缩包（zip），不是 Excel 工作簿，或文件已损坏，应为Excel 工作簿（.xlsx/.xls）或 CSV 文件",
        ),
    ),
    Case(
        "garbage-workbook-xml",
        "broken.xlsx",
        lambda: rezip(xlsx_bytes(two_rows()), {"xl/workbook.xml": b"<workbook><sheets><sheet"}),
        problems=(
            F.format("broken.xlsx")
            + "：无法读取 Excel 文件（文件已损坏），应为在 Excel/WPS 中打开后另存为 .xlsx 再导入",
        ),
    ),
    Case(
        "csv-latin1",
        "latin1.csv",
        lambda: csv_bytes([row(vendor="Café Müller")], "latin-1", headers=KEYS),
        problems=(
            F.format("latin1.csv") + "：CSV 文件编码无法识别，应为UTF-8 或 GBK/GB18030 编码的 CSV 文件",
        ),
    ),
    Case(
        "password-xlsx",
        "lo_password.xlsx",
        corpus("lo_password.xlsx"),
        problems=(
            F.format("lo_password.xlsx")
            + "：文件有密码保护（已加密），无法读取，应为去掉密码后另存为 .xlsx 再导入",
        ),
    ),
    Case(
        "password-xls",
        "lo_password.xls",
        corpus("lo_password.xls"),
        problems=(
            F.format("lo_password.xls")
            + "：文件有密码保护（已加密），无法读取，应为去掉密码后另存为 .xlsx 再导入",
        ),
    ),
    # ---- refuse: hostile ------------------------------------------------------------------------
    Case(
        "zip-bomb-ratio",
        "bomb.xlsx",
        bomb,
        problems=(
            F.format("bomb.xlsx")
            + "：压缩比异常（xl/media/image1.bin 压缩比 1,029:1，上限 200:1）：发现「60,000,000 字节」，应为正常的 Excel 工作簿（疑似恶意构造的文件，拒绝读取）",
        ),
    ),
    Case(
        "zip-too-many-entries",
        "many.xlsx",
        many_entries,
        problems=(
            F.format("many.xlsx")
            + "：压缩包内文件过多（上限 5,000 个）：发现「6,009」，应为正常的 Excel 工作簿（疑似恶意构造的文件，拒绝读取）",
        ),
    ),
    Case(
        "zip-declared-size",
        "big.xlsx",
        lambda: xlsx_bytes(two_rows()),
        limits=Limits(max_uncompressed=10_000),
        problems=(
            F.format("big.xlsx")
            + "：解压后体积过大（上限 10,000 字节）：发现「{size} 字节」，应为正常的 Excel 工作簿（疑似恶意构造的文件，拒绝读取）",
        ),
    ),
    Case(
        "zip-lying-sizes",
        "lie.xlsx",
        lambda: lying_sizes(xlsx_bytes(two_rows()), "xl/worksheets/sheet1.xml"),
        problems=(
            F.format("lie.xlsx")
            + "：无法读取 Excel 文件（文件已损坏），应为在 Excel/WPS 中打开后另存为 .xlsx 再导入",
        ),
    ),
    Case(
        "xml-entity-bomb",
        "laughs.xlsx",
        entity_bomb,
        problems=(
            F.format("laughs.xlsx")
            + "：XML 中含有实体声明（xl/worksheets/sheet1.xml），拒绝读取，应为正常的 Excel 工作簿（疑似恶意构造的文件，拒绝读取）",
        ),
    ),
    Case(
        "declared-dimension-huge",
        "dim.xlsx",
        huge_dimension,
        problems=(
            "文件「dim.xlsx」，工作表「月度指标」：工作表范围过大（上限 5,000,000 个单元格）：发现「17,179,869,184 个单元格」，应为正常大小的工作表（疑似恶意构造的文件，拒绝读取）",
        ),
    ),
    Case(
        "far-cell-counted",
        "far.xlsx",
        far_cell,
        limits=Limits(max_cells=100_000),
        problems=(
            "文件「far.xlsx」，工作表「月度指标」：工作表范围过大（上限 100,000 个单元格）：发现「100,001 个单元格」，应为正常大小的工作表（疑似恶意构造的文件，拒绝读取）",
        ),
    ),
    Case(
        "file-too-big",
        "huge.csv",
        lambda: csv_bytes(two_rows()),
        limits=Limits(max_bytes=100),
        problems=(F.format("huge.csv") + "：文件过大（上限 100 字节）：发现「{size} 字节」",),
    ),
    # ---- refuse: structure ----------------------------------------------------------------------
    Case(
        "empty-sheet",
        "blank.xlsx",
        lambda: _blank_sheet(),
        problems=(
            "文件「blank.xlsx」，工作表「月度指标」：工作表是空的，应为表头行和每家外包公司每月一行数据",
        ),
    ),
    Case(
        "missing-sheet",
        "other.xlsx",
        lambda: xlsx_bytes(two_rows(), sheet="Sheet1", extra={"Sheet2": [["x"]]}),
        problems=(
            "文件「other.xlsx」：找不到工作表「月度指标」：发现「Sheet1、Sheet2」，应为名为「月度指标」的工作表",
        ),
    ),
    Case(
        "no-header-row",
        "noheader.xlsx",
        lambda: xlsx_bytes([[1, 2, 3]], headers=["甲", "乙", "丙"]),
        problems=(
            "文件「noheader.xlsx」，工作表「月度指标」：找不到表头行（前 15 行中没有「月份」「外包公司」「接通量」等列名）",
        ),
    ),
    Case(
        "header-only",
        "nodata.xlsx",
        lambda: xlsx_bytes([]),
        problems=("文件「nodata.xlsx」，工作表「月度指标」：工作表没有数据行",),
    ),
    Case(
        "missing-columns",
        "cols.xlsx",
        lambda: xlsx_bytes([r[:20] for r in two_rows()], headers=HEADERS[:20]),
        problems=tuple(
            f"文件「cols.xlsx」，工作表「月度指标」，第 1 行，「{h}」列：缺少必需的列，应为列名「{h}」"
            for h in ("升级投诉数", "业务稽核合格率", "台账自查缺失数", "信息安全事件数")
        ),
    ),
    Case(
        "duplicate-headers",
        "dup.xlsx",
        lambda: xlsx_bytes([r + [1, 2] for r in two_rows()], headers=HEADERS + ["承接通话量", "月份"]),
        problems=(
            "文件「dup.xlsx」，工作表「月度指标」，第 1 行，「承接通话量」列：表头重复：发现「承接通话量」，应为每列只出现一次",
            "文件「dup.xlsx」，工作表「月度指标」，第 1 行，「月份」列：表头重复：发现「月份」，应为每列只出现一次",
        ),
    ),
    # ---- refuse: cells --------------------------------------------------------------------------
    Case(
        "duplicate-vendor-month",
        "twice.xlsx",
        lambda: xlsx_bytes([row(), row(month="2024年5月", vendor=" 华信客服")]),
        problems=(
            at(
                "twice.xlsx",
                3,
                "外包公司",
                "同一外包公司同一月份重复（与第 2 行重复）：发现「华信客服 2024-05」，应为每个外包公司每月一行",
            ),
        ),
    ),
    Case(
        "blank-required",
        "blank-cell.xlsx",
        lambda: xlsx_bytes([row(connected_calls=None), row(vendor="B", dial_tests="  ")]),
        problems=(
            at(
                "blank-cell.xlsx",
                2,
                "接通量",
                "必填单元格为空（空白不等于 0）：发现「（空）」，应为填写数值；确实为零请填 0",
            ),
            at(
                "blank-cell.xlsx",
                3,
                "质量拨测数",
                "必填单元格为空（空白不等于 0）：发现「（空）」，应为填写数值；确实为零请填 0",
            ),
        ),
    ),
    Case(
        "negative-fraction-and-percent-counts",
        "neg.xlsx",
        lambda: xlsx_bytes(
            [row(service_complaints=-3, dial_tests="12.5", tickets_sampled=2)], formats={"N2": "0%"}
        ),
        problems=(
            at("neg.xlsx", 2, "质量拨测数", "应为整数：发现「12.5」，应为非负整数"),
            at("neg.xlsx", 2, "成立服务投诉数", "不能为负数：发现「-3」，应为非负整数"),
            at("neg.xlsx", 2, "工单抽测数", "数量不应是百分比：发现「200%」，应为非负整数"),
        ),
    ),
    Case(
        "correct-over-total",
        "over.xlsx",
        lambda: xlsx_bytes([row(dial_tests_correct=81), row(vendor="B", repeat_2h_calls=60000)]),
        problems=(
            at("over.xlsx", 2, "质量拨测正确数", "不能大于「质量拨测数」（80）：发现「81」，应为≤ 80"),
            at("over.xlsx", 3, "2小时重复呼叫数", "不能大于「接通量」（51688）：发现「60000」，应为≤ 51688"),
        ),
    ),
    Case(
        "rate-over-100-and-ambiguous-1",
        "rate.xlsx",
        lambda: xlsx_bytes(
            [
                row(audit_pass_rate="101%"),
                row(vendor="B", audit_pass_rate=1),
                row(vendor="C", audit_pass_rate="九成"),
            ]
        ),
        problems=(
            at(
                "rate.xlsx",
                2,
                "业务稽核合格率",
                "百分比不能超过 100%：发现「101%」，应为百分比（如 93.5%、0.935 或 93.5）",
            ),
            at(
                "rate.xlsx",
                3,
                "业务稽核合格率",
                "无法识别的值：发现「1」，应为明确的百分比：1 既可能是 1% 也可能是 100%，请写成「1%」或「100%」",
            ),
            at(
                "rate.xlsx",
                4,
                "业务稽核合格率",
                "无法识别的值：发现「九成」，应为百分比（如 93.5%、0.935 或 93.5）",
            ),
        ),
    ),
    Case(
        "lo-error-cells-xlsx",
        "lo_errors.xlsx",
        corpus("lo_errors.xlsx"),
        problems=(
            _err := (
                at("{f}", 2, "接通量", "单元格是错误值：发现「#DIV/0!」，应为有效数值（请检查公式）"),
                at("{f}", 3, "考试平均分", "单元格是错误值：发现「#N/A」，应为有效数值（请检查公式）"),
                at("{f}", 3, "业务稽核合格率", "单元格是错误值：发现「#N/A」，应为有效数值（请检查公式）"),
            )
        ),
    ),
    Case("lo-error-cells-xls", "lo_errors.xls", corpus("lo_errors.xls"), problems=_err),
    Case(
        "formula-without-cached-value",
        "script.xlsx",
        uncached_formulas,
        problems=(
            at(
                "script.xlsx",
                2,
                "接通量",
                "公式没有计算结果（文件可能由程序生成、从未在 Excel 中打开保存过）：发现「=SUM(1,2)*20000」，应为已算出的值（请在 Excel/WPS 中打开并保存后再导入）",
            ),
            at(
                "script.xlsx",
                3,
                "考试平均分",
                "公式没有计算结果（文件可能由程序生成、从未在 Excel 中打开保存过）：发现「=AVERAGE(B9:B10)」，应为已算出的值（请在 Excel/WPS 中打开并保存后再导入）",
            ),
        ),
    ),
    Case(
        "month-not-the-titles",
        "may.xlsx",
        lambda: xlsx_bytes([row(), row(vendor="B", month="2024-04")], title="2024年5月外包考核数据"),
        problems=(
            at(
                "may.xlsx",
                4,
                "月份",
                "月份不符（标题「2024年5月外包考核数据」所示月份为 2024-05）：发现「2024-04」，应为2024-05",
            ),
        ),
    ),
    Case(
        "months-not-understood",
        "month.xlsx",
        lambda: xlsx_bytes([row(month="五月"), row(month="2024-13")]),
        problems=(
            at(
                "month.xlsx",
                2,
                "月份",
                "无法识别的值：发现「五月」，应为月份（如 2024-05、2024/5、2024年5月 或日期）",
            ),
            at(
                "month.xlsx",
                3,
                "月份",
                "无法识别的值：发现「2024-13」，应为月份（如 2024-05、2024/5、2024年5月 或日期）",
            ),
        ),
    ),
    Case(
        "all-problems-at-once",
        "many-problems.csv",
        lambda: csv_bytes(
            [
                row(connected_calls=-1, audit_pass_rate="120%"),
                row(vendor="B", tickets_correct=999),
                row(),
                row(exam_takers=None),
            ]
        ),
        problems=(
            at(
                "many-problems.csv",
                2,
                "接通量",
                "不能为负数：发现「-1」，应为非负整数",
                sheet="many-problems",
            ),
            at(
                "many-problems.csv",
                2,
                "业务稽核合格率",
                "百分比不能超过 100%：发现「120%」，应为百分比（如 93.5%、0.935 或 93.5）",
                sheet="many-problems",
            ),
            at(
                "many-problems.csv",
                3,
                "工单抽测正确数",
                "不能大于「工单抽测数」（200）：发现「999」，应为≤ 200",
                sheet="many-problems",
            ),
            at(
                "many-problems.csv",
                5,
                "参考人数",
                "必填单元格为空（空白不等于 0）：发现「（空）」，应为填写数值；确实为零请填 0",
                sheet="many-problems",
            ),
        ),
    ),
    Case(
        "formula-injection-text-read-as-text",
        "inject.xlsx",
        lambda: xlsx_bytes([row(vendor=CRAZY)]),
        read={("=1+1", "2024-05"): {}},
    ),
]


def _hidden_copy() -> bytes:
    book = xlsx_bytes(two_rows(), sheet="月度指标", extra={"汇总": [HEADERS, row(vendor="作废")]})
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(book))
    wb["汇总"].sheet_state = "hidden"
    wb.move_sheet("汇总", offset=-1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _blank_sheet() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "月度指标"
    wb.create_sheet("说明")["A1"] = "本表请勿修改"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _expected(case: Case, data: bytes) -> list[str]:
    return [p.replace("{f}", case.name).replace("{size}", f"{_size(case, data):,}") for p in case.problems]


def _size(case: Case, data: bytes) -> int:
    if case.id == "zip-declared-size":
        return sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    return len(data)


def _read(case: Case, data: bytes):
    return read_summary_bytes(data, case.name, limits=case.limits or Limits())


def test_at_least_30_distinct_files():
    assert len({c.id for c in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_corpus_case(case: Case):
    data = case.make()
    records, problems = _read(case, data)
    assert [str(p) for p in problems] == _expected(case, data)
    if not case.problems:
        got = {(r.vendor, r.month): r for r in records}
        assert set(got) == set(case.read)
        for key, values in case.read.items():
            for name, value in values.items():
                assert got[key].get(name) == value, (key, name)


BAD = [c for c in CASES if c.problems and c.limits is None]


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.id)
def test_validate_prints_every_problem_and_exits_1(case: Case, tmp_path: Path):
    data = case.make()
    path = tmp_path / case.name
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["validate", str(path)])
    expected = _expected(case, data)
    assert result.exit_code == 1
    assert result.output == f"输入有误，共 {len(expected)} 处问题：\n" + "".join(
        f"  {n}. {text}\n" for n, text in enumerate(expected, 1)
    )
    assert "Traceback" not in result.output


def test_read_summary_from_a_path_matches_bytes(tmp_path: Path):
    path = tmp_path / "lo_title.xlsx"
    path.write_bytes((CORPUS / "lo_title.xlsx").read_bytes())
    assert read_summary(path) == read_summary_bytes(path.read_bytes(), "lo_title.xlsx")


def test_validate_month_refuses_rows_of_other_months(tmp_path: Path):
    path = tmp_path / "h1.xlsx"
    path.write_bytes(xlsx_bytes([row(), row(month="2024-04"), row(vendor="B", month="2024年4月")]))
    result = CliRunner().invoke(main, ["validate", str(path), "--month", "2024-05"])
    assert result.exit_code == 1
    assert result.output == (
        "输入有误，共 2 处问题：\n"
        + "".join(
            f"  {n}. "
            + at("h1.xlsx", r, "月份", "月份不符（只应有 2024-05 的数据）：发现「2024-04」，应为2024-05")
            + "\n"
            for n, r in ((1, 3), (2, 4))
        )
    )
    ok = CliRunner().invoke(main, ["validate", str(path)])
    assert (ok.exit_code, ok.output) == (0, "检查通过：h1.xlsx，3 行（外包公司 × 月份）。\n")


def test_validate_accepts_the_sample_and_the_lo_files():
    for path in (SAMPLE, CORPUS / "lo_title.xls"):
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code == 0, result.output
