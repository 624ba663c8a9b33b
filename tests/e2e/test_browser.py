"""End to end: `streamlit run` on a free port, driven by Playwright in Debian's chromium.

Checks a vendor's total on 总览, downloads the statement from 结算 and checks its payout cell, and
takes a screenshot of every page at 1440, 1280 and 390 px into test-output/screenshots/<width>/,
asserting from the DOM that no chart value label is clipped, no heat-map label overflows its cell
and no chart toolbar is drawn. With KPI_UPDATE_DOCS_SCREENSHOTS=1 it also refreshes docs/screenshots/
(every page at every width, and 总览 / 评分卡 at 1440 px for the README).

Every request the browser makes is recorded; one that does not go to this machine's server fails
the test (and is blocked, so nothing is fetched from outside while testing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kpi.access.roles import VENDOR as VENDOR_ROLE
from kpi.access.users import add_user, create_first_admin
from kpi.history.store import open_store
from kpi.money import fmt2
from kpi.pipeline import assess
from kpi.rules.rulebook import load_rulebook
from tests.history_db import audit_rows

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
WIDTHS = (1440, 1280, 390)
MAIN_HEIGHT = "() => document.querySelector(\"[data-testid='stMain']\").scrollHeight"
TO_TOP = "() => { window.scrollTo(0, 0); document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0); }"
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")
MONTH = "2024-06"
VENDOR = "华信客服"
VENDOR_USER, VENDOR_PASSWORD = "华信小李", "huaxin-pass-2024"
SIGNIN_DB = "kpi.db"  # in test-output/e2e-signin/


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


@contextlib.contextmanager
def _streamlit(name: str, env: dict[str, str], cwd: Path) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port in `cwd`, logging to test-output/<name>.log."""
    port = _free_port()
    log = (ROOT / "test-output").joinpath(f"{name}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "dashboard" / "app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
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


def _fresh_dir(name: str) -> Path:
    """An empty directory under test-output/ holding a copy of the checkout's .streamlit/ (config.toml
    is read from the directory streamlit starts in)."""
    where = ROOT / "test-output" / name
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(ROOT / ".streamlit", where / ".streamlit")
    return where


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The demo as `bash scripts/dev.sh dashboard` opens it: no KPI_DB, so 演示 合同管理 on the sample.
    Started in an empty directory, so the 月度流程 page's kpi.db is a fresh one there, not the checkout's."""
    env = {k: v for k, v in os.environ.items() if k != "KPI_DB"}
    with _streamlit("streamlit", env, _fresh_dir("e2e-demo")) as url:
        yield url


@pytest.fixture(scope="session")
def signin_server() -> Iterator[str]:
    """The app with a history database (KPI_DB), so it asks for sign-in; the database holds a 管理员 and
    a 外包公司 user of VENDOR, made through kpi.access before the server starts."""
    where = _fresh_dir("e2e-signin")
    history = where / SIGNIN_DB
    engine = open_store(str(history))
    create_first_admin(engine, "王管理", "admin-pass-2024")
    add_user(engine, VENDOR_USER, VENDOR_ROLE, VENDOR_PASSWORD, vendor=VENDOR, by="王管理")
    engine.dispose()
    with _streamlit("streamlit-signin", {**os.environ, "KPI_DB": str(history)}, where) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def _tab(browser) -> Iterator:
    """A fresh browser tab that records every request and blocks (and fails on) any not to this machine."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="zh-CN"
    )
    seen: list[str] = []
    outside: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.requests = seen
    yield page
    context.close()
    assert not outside and all(url.startswith(LOCAL) for url in seen), (
        f"requests left the machine: {sorted(set(outside) | {u for u in seen if not u.startswith(LOCAL)})}"
    )


@pytest.fixture()
def page(browser, server):
    """A fresh browser tab on the demo server."""
    with _tab(browser) as tab:
        yield tab


@pytest.fixture(scope="session")
def june():
    result = assess(SAMPLE, load_rulebook(), month=MONTH)
    return {c.vendor: c for c in result.cards}


def settle(page) -> None:
    """Wait for the script run to end, then bring every chart into view (plotly draws lazily)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    page.wait_for_timeout(800)
    page.evaluate(
        "() => document.querySelectorAll(\"[data-testid='stPlotlyChart']\").forEach(e => e.scrollIntoView())"
    )
    page.wait_for_timeout(800)


def open_page(page, server: str, slug: str, title: str) -> None:
    page.goto(f"{server}/{slug}")
    page.locator("h1", has_text=title).first.wait_for()
    settle(page)  # let the first load finish and charts draw


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


# Every chart value label (bar and waterfall texts, indicator numbers, heat-map and scatter labels)
# must lie inside its figure, and inside the plot area when its layer is clipped to it; a gauge
# must not cover its number or title (a bullet's "14.04%" read "4.04%"); every heat-map label must
# fit its cell. Returns the offending labels.
CLIPPED_LABELS = """() => {
  const bad = [];
  const inside = (r, box) => r.left >= box.left - 1 && r.right <= box.right + 1
                          && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  const overlap = (a, b) => a.left < b.right - 1 && a.right > b.left + 1
                         && a.top < b.bottom - 1 && a.bottom > b.top + 1;
  document.querySelectorAll('.indicatorlayer g.trace').forEach(trace => {
    const gauge = trace.querySelector('.gauge-outline');
    if (!gauge) return;
    const box = gauge.getBoundingClientRect();
    trace.querySelectorAll('text.number, text.title').forEach(t => {
      if (overlap(t.getBoundingClientRect(), box)) bad.push('covered by the gauge: ' + t.textContent);
    });
  });
  document.querySelectorAll('.js-plotly-plot').forEach(plot => {
    const figure = plot.querySelector('.main-svg').getBoundingClientRect();
    const area = plot.querySelector('.nsewdrag');
    const plotBox = area ? area.getBoundingClientRect() : figure;
    const labels = plot.querySelectorAll(
      'text.bartext, text.number, .heatmap-label text, .textpoint text, .indicatorlayer text');
    labels.forEach(t => {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0) return;
      const clipped = t.closest('[clip-path]');
      if (!inside(r, figure) || (clipped && !inside(r, plotBox))) bad.push('clipped: ' + t.textContent);
    });
    const cells = plot.querySelectorAll('.heatmap-label text');
    if (cells.length) {
      const trace = plot.data[0];
      const w = plotBox.width / (trace.x || trace.z[0]).length;
      const h = plotBox.height / (trace.y || trace.z).length;
      cells.forEach(t => {
        const r = t.getBoundingClientRect();
        if (r.width > w - 2 || r.height > h) bad.push(`overflows its ${Math.round(w)}×${Math.round(h)} cell: ${t.textContent}`);
      });
    }
  });
  return bad;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshot_every_page(page, server, width):
    shots = SHOTS / str(width)
    shots.mkdir(parents=True, exist_ok=True)
    docs = os.environ.get("KPI_UPDATE_DOCS_SCREENSHOTS") == "1"
    for number, (slug, title) in enumerate(PAGES, 1):
        page.set_viewport_size({"width": width, "height": 1000})
        open_page(page, server, slug, title)
        name = slug or "overview"
        path = shots / f"{number}_{name}.png"
        tall = page.evaluate(MAIN_HEIGHT)
        page.set_viewport_size({"width": width, "height": min(max(int(tall) + 40, 1000), 9000)})
        settle(page)
        assert page.evaluate(CLIPPED_LABELS) == [], f"{title} at {width} px"
        assert page.locator(".modebar").count() == 0, f"{title}: a chart toolbar covers the title"
        page.evaluate(TO_TOP)
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
        if docs:
            (DOCS_SHOTS / str(width)).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SHOTS / str(width) / path.name)
        if docs and width == 1440 and name in ("overview", "scorecard"):
            clip = {"x": 0, "y": 0, "width": 1440, "height": min(max(int(tall) + 40, 1000), 1560)}
            page.screenshot(path=str(DOCS_SHOTS / f"{name}.png"), clip=clip)
        assert path.stat().st_size > 10_000
        assert page.locator("[data-testid='stException']").count() == 0, f"{title} shows a traceback"


def test_phone_overview_reaches_the_charts_quickly(page, server):
    """Defect 13: on a phone the vendor cards are short, so the ranking starts within ~2,000 px."""
    page.set_viewport_size({"width": 390, "height": 900})
    open_page(page, server, "", "总览")
    page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0)")
    top = page.evaluate("() => document.querySelector('.st-key-ranking').getBoundingClientRect().top")
    assert 0 < top < 2000


def test_uploaders_and_pickers_speak_chinese(page, server):
    """Defect 11: none of Streamlit's English on the uploaders or the pickers."""
    open_page(page, server, "", "总览")
    # the uploaders' Chinese text is a style the page injects: wait until it applies (a loaded machine
    # renders the sidebar before the style), then nothing English may remain
    page.wait_for_function(
        "() => { const b = document.querySelector(\"[data-testid='stFileUploaderDropzone'] button\");"
        " return b && getComputedStyle(b, '::after').content.includes('选择文件'); }",
        timeout=15_000,
    )
    sidebar = page.locator("[data-testid='stSidebar']")
    texts = sidebar.evaluate("(e) => e.innerText")
    assert "Upload" not in texts and "per file" not in texts and "Drag and drop" not in texts
    assert "Choose an option" not in page.evaluate("() => document.body.innerText")


def test_page_icon_is_served_locally(page, server):
    """Defect 10: the favicon comes from this server (the fixture fails on any outside request)."""
    open_page(page, server, "", "总览")
    icon = page.evaluate("() => document.querySelector(\"link[rel*='icon']\").href")
    assert icon.startswith(server)


def test_simulation_reset_clears_the_boxes(page, server, june):
    """Defect 1: after 恢复原始数据 the box shows the workbook's figure again, and the next edit does
    not silently re-apply the old change."""
    from playwright.sync_api import expect

    open_page(page, server, "simulate", "模拟")
    vendor = page.locator("h1").first.inner_text().split(" · ")[1]
    record = next(
        r for r in assess(SAMPLE, load_rulebook()).records if r.vendor == vendor and r.month == MONTH
    )
    original = str(record.get("repeat_2h_calls"))
    box = page.get_by_label("2小时重复呼叫数")
    expect(box).to_have_value(original)
    total = page.locator("[data-testid='stMetricValue']").first
    before = total.inner_text()
    box.fill(str(int(original.replace(",", "")) + 500))
    box.press("Enter")
    page.wait_for_function(
        "(v) => document.querySelector(\"[data-testid='stMetricValue']\").innerText !== v", arg=before
    )
    page.get_by_role("button", name="恢复原始数据").click()
    page.wait_for_function(
        "(v) => document.querySelector(\"[data-testid='stMetricValue']\").innerText === v", arg=before
    )
    settle(page)
    expect(box).to_have_value(original)
    other = page.get_by_label("质量拨测数")
    other.fill(other.input_value())  # an edit that changes nothing
    other.press("Enter")
    settle(page)
    assert total.inner_text() == before and box.input_value() == original


def _summary_workbook(
    path: Path, rename: dict[str, str], cell: tuple[int, str, object] | None = None
) -> Path:
    """The sample's summary sheet alone, vendors renamed, optionally one cell replaced."""
    rows = [
        list(r)
        for r in openpyxl.load_workbook(SAMPLE, read_only=True).worksheets[0].iter_rows(values_only=True)
    ]
    header = rows[1]
    for row in rows[2:]:
        row[1] = rename.get(row[1], row[1])
    if cell is not None:
        line, column, value = cell
        rows[line][header.index(column)] = value
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "月度指标"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


LINK = "[点我](https://example.invalid)"
IMAGE = "![x](https://example.invalid/p.png)"


def test_user_text_is_shown_as_text_never_markup(page, server, tmp_path):
    """Vendor names and cell values written as Markdown show as typed: no link, no image, nothing
    fetched (the fixture fails on any request that leaves the machine)."""
    renamed = _summary_workbook(tmp_path / "名称.xlsx", {"联创呼叫": LINK, "远景服务": IMAGE})
    open_page(page, server, "", "总览")
    page.locator("[data-testid='stSidebar'] input[type='file']").first.set_input_files(str(renamed))
    page.get_by_text("已载入 名称.xlsx").first.wait_for()
    settle(page)
    # shown as typed (an invisible word joiner after "https:" keeps a bare URL from becoming a link)
    headings = [
        h.replace("\u2060", "") for h in page.locator("[class*='st-key-vendor_card_'] h3").all_inner_texts()
    ]
    assert LINK in headings and IMAGE in headings
    assert page.locator("a[href*='example.invalid']").count() == 0
    assert page.locator("img[src*='example.invalid']").count() == 0
    assert page.evaluate(CLIPPED_LABELS) == []
    bad = _summary_workbook(tmp_path / "坏值.xlsx", {}, (2, "接通量", "![y](https://example.invalid/q.png)"))
    page.locator("[data-testid='stSidebar'] input[type='file']").first.set_input_files(str(bad))
    page.get_by_text("工作簿中发现 1 处问题").first.wait_for()
    settle(page)
    assert page.locator("img[src*='example.invalid']").count() == 0
    assert page.locator("a[href*='example.invalid']").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0


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


def test_signable_statement_and_evidence_download_in_the_browser(page, server, june, tmp_path):
    """The deferred downloads, clicked in chromium: the statement PDF (read back with pdftotext) and
    the evidence .xlsx of a vendor (one row per counted repeat)."""
    open_page(page, server, "settlement", "结算")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载签字用结算单（PDF）").click()
    pdf = tmp_path / "statement.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    total = sum(c.settlement.payout for c in june.values())
    assert f"应付合计：{total:,.2f} 元" in text
    assert "人民币壹万捌仟贰佰伍拾贰元柒角叁分" in text
    open_page(page, server, "agents", "坐席")
    vendor = page.locator("h1").first.inner_text().split(" · ")[1]  # the sidebar's vendor
    with page.expect_download() as info:
        page.get_by_role("button", name=f"下载重复呼叫证据（{vendor}，.xlsx）").click()
    evidence = tmp_path / "evidence.xlsx"
    info.value.save_as(evidence)
    sheet = openpyxl.load_workbook(evidence)["重复呼叫明细"]
    assert sheet.max_row - 3 == june[vendor].metrics[0].inputs[0][2]  # 2小时重复呼叫数 from the detail
    assert page.locator("[data-testid='stException']").count() == 0


def test_the_label_check_finds_what_the_old_charts_drew(page):
    """The DOM check can fail: a bullet with its number beside the gauge (as the old 评分卡 drew it)
    and heat-map labels "9.96/10.00" in 8 narrow columns (as the old 总览 did) are both caught."""
    import plotly.graph_objects as go

    bullet = go.Figure(
        go.Indicator(
            mode="number+gauge",
            value=14.04,
            number=dict(suffix="%", valueformat=".2f", font=dict(size=18)),
            title=dict(text="<b>二小时重复拨打率</b>"),
            domain=dict(x=[0.34, 0.8], y=[0.15, 0.85]),
            gauge=dict(shape="bullet", axis=dict(range=[11, 20])),
        )
    )
    bullet.update_layout(height=140, margin=dict(l=10, r=10, t=10, b=10))
    heat = go.Figure(
        go.Heatmap(
            z=[[1] * 8] * 4,
            text=[["9.96/10.00"] * 8] * 4,
            texttemplate="%{text}",
            textfont=dict(size=12),
            showscale=False,
        )
    )
    heat.update_layout(height=320)
    for figure, width, found in ((bullet, 358, "covered by the gauge: 14.04%"), (heat, 520, "9.96/10.00")):
        page.set_content(figure.to_html(include_plotlyjs=True, full_html=True, default_width=f"{width}px"))
        page.wait_for_timeout(300)
        problems = page.evaluate(CLIPPED_LABELS)
        assert any(found in problem for problem in problems), problems


def _submit(page, name: str, password: str, refused: bool = True) -> None:
    """Type a name and password into 登录 and submit; a refused attempt returns when the run has
    cleared the password box."""
    from playwright.sync_api import expect

    page.get_by_label("用户名").fill(name)
    box = page.get_by_label("密码")
    box.fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    if refused:
        expect(box).to_have_value("", timeout=30_000)
        settle(page)


def test_a_vendor_signs_in_through_the_page_and_five_wrong_passwords_lock_the_account(
    browser, signin_server, june
):
    """With KPI_DB the app opens on 登录: the 外包公司 user signs in through the real form and finds its
    own total on 总览; in a second session five wrong passwords lock the account, and the right
    password after that is refused."""
    from playwright.sync_api import expect

    with _tab(browser) as page:
        open_page(page, signin_server, "settlement", "登录")  # a bookmark of 结算 asks for sign-in first …
        assert page.locator("[data-testid='stSidebar']").count() == 0  # nothing but the form
        assert "Page not found" not in page.evaluate("() => document.body.innerText")
        _submit(page, VENDOR_USER, VENDOR_PASSWORD, refused=False)
        page.locator("h1", has_text="结算").first.wait_for()  # … then opens it
        page.get_by_role("link", name="总览").click()
        page.locator("h1", has_text="总览").first.wait_for()
        settle(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar).to_contain_text(f"当前用户：{VENDOR_USER}（外包公司 · {VENDOR}）")
        card = page.locator("[class*='st-key-vendor_card_']").filter(has_text=VENDOR)
        value = card.locator("[data-testid='stMetricValue']").first.inner_text()
        assert value.strip() == fmt2(june[VENDOR].total)

    with _tab(browser) as page:
        open_page(page, signin_server, "", "登录")
        alert = page.locator("[data-testid='stAlert'] [data-testid='stMarkdownContainer']")
        for attempt in range(1, 5):
            _submit(page, VENDOR_USER, f"wrong-password-{attempt}")
            expect(alert).to_have_text("用户名或密码不正确")
        _submit(page, VENDOR_USER, "wrong-password-5")
        expect(alert).to_contain_text("密码连续输错 5 次，账户已锁定至")
        _submit(page, VENDOR_USER, VENDOR_PASSWORD)
        expect(alert).to_contain_text("密码连续输错 5 次，账户已锁定至")
        assert page.locator("h1").first.inner_text() == "登录"
        assert page.locator("h1", has_text="总览").count() == 0

    history = ROOT / "test-output" / "e2e-signin" / SIGNIN_DB
    rows = [(r.who, r.action) for r in audit_rows(str(history))]
    assert rows[2:] == [
        (VENDOR_USER, "sign_in"),
        *[(VENDOR_USER, "sign_in_failed")] * 5,
        (VENDOR_USER, "locked"),
        (VENDOR_USER, "sign_in_failed"),
    ]
    assert VENDOR_PASSWORD.encode() not in history.read_bytes()
