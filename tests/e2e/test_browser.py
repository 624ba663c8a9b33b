"""End to end: `streamlit run` on a free port, driven by Playwright in Debian's chromium.

Checks a vendor's total on 总览, downloads the statement from 结算 and checks its payout cell, and
saves a screenshot of every page into test-output/screenshots/. With KPI_UPDATE_DOCS_SCREENSHOTS=1
it also refreshes docs/screenshots/ (总览 and 评分卡, shown in the README).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kpi.money import fmt2
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "monthly_2024H1.xlsx"
SHOTS = ROOT / "test-output" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [
    ("", "总览"),
    ("scorecard", "评分卡"),
    ("trends", "趋势"),
    ("agents", "坐席"),
    ("settlement", "结算"),
    ("simulate", "模拟"),
    ("checks", "数据检查"),
    ("cycle", "月度流程"),
]
MAIN_HEIGHT = "() => document.querySelector(\"[data-testid='stMain']\").scrollHeight"
MONTH = "2024-06"
VENDOR = "华信客服"


def _apt_install(*packages: str) -> None:
    """Install Debian packages when running as root (the test set-up of a fresh machine)."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env, check=False)


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return True  # cannot tell; screenshots may show boxes for Chinese
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        _apt_install("chromium")
    if not _has_cjk_font():
        _apt_install("fonts-wqy-microhei")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server() -> str:
    port = _free_port()
    log = (ROOT / "test-output").joinpath("streamlit.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    # the 月度流程 page's database: a fresh one, not kpi.db in the checkout
    history = log.parent / "e2e-kpi.db"
    for stale in log.parent.glob("e2e-kpi.db*"):
        stale.unlink()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KPI_DB": str(history)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser(chromium: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def june():
    result = assess(SAMPLE, load_rulebook(), month=MONTH)
    return {c.vendor: c for c in result.cards}


def open_page(page, server: str, slug: str, title: str) -> None:
    page.goto(f"{server}/{slug}")
    page.locator("h1", has_text=title).first.wait_for()
    # let the first load finish and charts draw
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    page.wait_for_timeout(1200)


def test_overview_shows_vendor_total(page, server, june):
    open_page(page, server, "", "总览")
    card = page.locator("[class*='st-key-vendor_card_']").filter(has_text=VENDOR)
    value = card.locator("[data-testid='stMetricValue']").first.inner_text()
    assert value.strip() == fmt2(june[VENDOR].total)


def test_settlement_download_has_payout(page, server, june, tmp_path):
    open_page(page, server, "settlement", "结算")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载结算单（.xlsx）").click()
    target = tmp_path / "statement.xlsx"
    info.value.save_as(target)
    sheet = openpyxl.load_workbook(target)["结算单"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    line = next(r for r in rows[1:] if r[0] == MONTH and r[1] == VENDOR)
    payout = line[header.index("应付金额(元)")]
    assert Decimal(str(round(payout, 2))).quantize(Decimal("0.01")) == june[VENDOR].settlement.payout


def test_screenshot_every_page(page, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for number, (slug, title) in enumerate(PAGES, 1):
        open_page(page, server, slug, title)
        name = slug or "overview"
        path = SHOTS / f"{number}_{name}.png"
        tall = page.evaluate(MAIN_HEIGHT)
        page.set_viewport_size({"width": 1440, "height": min(max(int(tall) + 40, 1000), 8000)})
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("KPI_UPDATE_DOCS_SCREENSHOTS") == "1" and name in ("overview", "scorecard"):
            DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
            clip = {"x": 0, "y": 0, "width": 1440, "height": min(max(int(tall) + 40, 1000), 1560)}
            page.screenshot(path=str(DOCS_SHOTS / f"{name}.png"), clip=clip)
        page.set_viewport_size({"width": 1440, "height": 1000})
        assert path.stat().st_size > 10_000
        assert page.locator("[data-testid='stException']").count() == 0, f"{title} shows a traceback"


def test_bad_upload_shows_the_report(page, server, tmp_path):
    """A workbook with problems: every page says so, 数据检查 lists them, no traceback anywhere."""
    rows = [
        list(r)
        for r in openpyxl.load_workbook(SAMPLE, read_only=True).worksheets[0].iter_rows(values_only=True)
    ]
    header = rows[1]
    rows[2][header.index("接通量")] = None
    rows[3][header.index("质量拨测正确数")] = 999
    bad = tmp_path / "坏数据.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "月度指标"
    for row in rows:
        sheet.append(row)
    book.save(bad)
    open_page(page, server, "", "总览")
    page.locator("[data-testid='stSidebar'] input[type='file']").first.set_input_files(str(bad))
    page.get_by_text("发现 2 处问题").first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
    page.locator("[data-testid='stSidebarNav'] a", has_text="数据检查").first.click()
    page.locator("h1", has_text="数据检查").first.wait_for()
    page.get_by_text("工作簿有 2 处问题").first.wait_for()
    page.wait_for_timeout(800)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "8_checks_bad_upload.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
