"""The statement PDF checked with poppler: text extractable, font embedded, every page fingerprinted
and numbered, page 1 renders."""

import os
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kpi.pipeline import assess
from kpi.reports.fingerprint import RULEBOOK, WORKBOOK, file_fingerprint, fingerprint
from kpi.reports.statement_doc import build_statement
from kpi.reports.statement_pdf import statement_pdf, write_statement_pdf
from kpi.rules.rulebook import rulebook_text
from kpi.scoring.scorecard import score
from tests.builders import vendor_month
from tests.paths import ROOT, SAMPLE

FP = fingerprint([(WORKBOOK, "五月.xlsx", b"workbook"), (RULEBOOK, "default.toml", b"rules")])


def pdftotext(path: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")[:-1]


@pytest.fixture
def one_vendor(rules, tmp_path: Path) -> Path:
    doc = build_statement([score(vendor_month(), rules)], rules, FP, date(2026, 11, 25))
    return write_statement_pdf(doc, tmp_path / "结算单.pdf")


@pytest.fixture
def all_vendors(rules, tmp_path: Path) -> Path:
    cards = [score(vendor_month(), rules)]
    cards += [replace(cards[0], vendor=f"公司{i}") for i in range(5)]
    doc = build_statement(cards, rules, FP, date(2026, 11, 25))
    return write_statement_pdf(doc, tmp_path / "全部.pdf")


def test_text_holds_the_capitals_and_the_fingerprint(one_vendor: Path):
    pages = pdftotext(one_vendor)
    text = "".join(pages)
    assert "人民币肆仟肆佰伍拾玖元零伍分" in text
    assert "4,459.05 元" in text
    for label in (
        "10086热线话务外包服务费结算单",
        "甲公司",
        "2024年05月",
        "生效月份 2024-01",
        "信息安全扣款",
    ):
        assert label in text
    # the settlement rule is an assumption (the contract states none): the statement says which
    assert "结算规则：系数 = 总分 ÷ 100（合同未规定得分与金额的换算，此为规则本的假设）" in text.replace(
        "\n", ""
    )
    for signer in ("编制", "审核", "批准", "外包公司确认"):
        assert signer in text
    for n, page in enumerate(pages, 1):
        assert FP.sha256 in page
        assert re.search(rf"第\s*{n}\s*页\s*共\s*{len(pages)}\s*页", page), page[-200:]


def test_every_page_of_a_long_statement_is_fingerprinted(all_vendors: Path):
    pages = pdftotext(all_vendors)
    assert len(pages) >= 7  # the summary page, then one page or more per vendor
    assert all(FP.sha256 in p for p in pages)
    assert "人民币贰万陆仟柒佰伍拾肆元叁角整" in pages[0]  # 6 × 4,459.05 = 26,754.30
    assert all(re.search(rf"共\s*{len(pages)}\s*页", p) for p in pages)


def test_the_cjk_font_is_embedded(one_vendor: Path):
    fonts = subprocess.run(["pdffonts", str(one_vendor)], capture_output=True, text=True, check=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all(" yes " in line for line in lines), fonts  # emb column
    assert any("WenQuanYi" in line or "Noto" in line for line in lines)


def test_page_one_renders_to_png(one_vendor: Path, tmp_path: Path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(one_vendor), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (414, 585)  # A4 (210 × 297 mm) at 50 dpi, rounded up


def test_never_overwrites_without_force(rules, one_vendor: Path):
    doc = build_statement([score(vendor_month(), rules)], rules, FP, date(2026, 11, 26))
    before = one_vendor.read_bytes()
    with pytest.raises(FileExistsError):
        write_statement_pdf(doc, one_vendor)
    assert one_vendor.read_bytes() == before
    write_statement_pdf(doc, one_vendor, force=True)
    assert one_vendor.read_bytes() != before


def test_vendor_names_are_text_not_markup(rules, tmp_path: Path):
    card = replace(score(vendor_month(), rules), vendor="**粗体**<b>公司</b>")
    path = tmp_path / "x.pdf"
    path.write_bytes(statement_pdf(build_statement([card], rules, FP, date(2026, 11, 25))))
    assert "外包公司：**粗体**<b>公司</b>" in pdftotext(path)[0]


def test_sample_statement_page_one_is_the_readme_screenshot(rules, tmp_path: Path):
    """The June statement of the bundled sample data, all vendors, page 1 (summary, payout in capitals,
    sign-off) rendered with pdftoppm into test-output/screenshots/; with KPI_UPDATE_DOCS_SCREENSHOTS=1
    also into docs/screenshots/statement.png, shown in the README (as the browser test does)."""
    month = "2024-06"
    cards = [c for c in assess(SAMPLE, rules, month=month).cards]
    fp = file_fingerprint(SAMPLE, [], rules.source, rulebook_text())
    pdf = write_statement_pdf(build_statement(cards, rules, fp, date(2026, 11, 25)), tmp_path / "s.pdf")
    assert "人民币壹万捌仟贰佰伍拾贰元柒角叁分" in pdftotext(pdf)[0]  # 18,252.73, as `kpi settle`
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp_path / "p1")],
        check=True,
    )
    png = (tmp_path / "p1.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    shots = ROOT / "test-output" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "statement_page1.png").write_bytes(png)
    if os.environ.get("KPI_UPDATE_DOCS_SCREENSHOTS") == "1":
        (ROOT / "docs" / "screenshots" / "statement.png").write_bytes(png)
