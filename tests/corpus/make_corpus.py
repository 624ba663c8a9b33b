"""Make the committed corpus files with a real office suite (LibreOffice), once; CI only reads them.

    apt-get install -y --no-install-recommends libreoffice-calc-nogui python3-uno
    .venv/bin/python tests/corpus/make_corpus.py          # lo_*.xlsx / lo_*.xls
    /usr/bin/python3 tests/corpus/make_encrypted.py       # lo_password.xlsx / lo_password.xls (UNO)

openpyxl writes the sources (formulas without cached results); LibreOffice opens, recalculates and
saves them, so the committed files carry cached values and error values as a real writer leaves them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1])]

from tests.workbooks import HEADERS, row  # noqa: E402


def title_source(path: Path) -> None:
    """Title merged above the header, odd headers, a date month, a stored 96.234% shown as 96.2%,
    a formula with a cached value, a text number, a blank row, a 合计 row, a note, a hidden sheet."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "月度指标"
    ws.append(["2024年5月外包考核数据"])
    ws.merge_cells("A1:H1")
    ws.append([])
    headers = list(HEADERS)
    headers[1] = " 外包公司 "
    headers[2] = "有效话务量（通）"
    headers[21] = "业务稽核合格率(%)"
    ws.append(headers)
    first = row(month=dt.datetime(2024, 5, 1), connected_calls="=50000+1688", audit_pass_rate=0.96234)
    ws.append(first)
    ws.append([])
    ws.append(row(vendor="联创呼叫", valid_calls="30,000", connected_calls=31000, exam_average=72.456))
    ws.append(["合计", None, "=SUM(C4:C6)", "=SUM(D4:D6)"])
    ws.append(["备注：数据来源 ACD 报表"])
    ws["A4"].number_format = "yyyy年m月"
    ws["V4"].number_format = "0.0%"
    ws["T6"].number_format = "0.0"
    old = book.create_sheet("旧数据")
    old.append(["作废"])
    old.sheet_state = "hidden"
    book.save(path)


def errors_source(path: Path) -> None:
    """Formulas whose results are errors: #DIV/0! in 接通量, #N/A in the audit rate and the exam average."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "月度指标"
    ws.append(HEADERS)
    ws.append(row(connected_calls="=1/0"))
    ws.append(row(vendor="联创呼叫", audit_pass_rate="=NA()", exam_average="=NA()"))
    book.save(path)


def convert(source: Path, fmt: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", fmt, "--outdir", out, str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        produced = next(Path(out).iterdir())
        shutil.move(produced, target)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("lo_title", title_source), ("lo_errors", errors_source)):
            source = Path(tmp) / f"{name}.xlsx"
            make(source)
            convert(source, "xlsx", HERE / f"{name}.xlsx")
            convert(source, "xls", HERE / f"{name}.xls")
    for path in sorted(HERE.glob("lo_*")):
        print(path.name, path.stat().st_size)


if __name__ == "__main__":
    main()
