"""How fast the dashboard opens and switches pages. Prints figures; it is not a timed test.

    python benchmarks/bench_dashboard.py              # in-process, through Streamlit's AppTest
    python benchmarks/bench_dashboard.py --browser    # also a real `streamlit run` driven by chromium

First load = the first script run of a session (read, validate, score the workbook; draw 总览).
Cached page switch = a later run on another page, answered from st.cache_data. Target: < 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise

TARGET = 0.3
PAGES = ["scorecard", "trends", "agents", "settlement", "simulate", "checks", "overview"]
TITLES = {
    "overview": "总览",
    "scorecard": "评分卡",
    "trends": "趋势",
    "agents": "坐席",
    "settlement": "结算",
    "simulate": "模拟",
    "checks": "数据检查",
}


def bench_apptest(rounds: int) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard import data as d

    sample = d.SAMPLE.read_bytes()
    started = time.perf_counter()
    d.assess_bytes(sample, d.SAMPLE.name, d.default_rules_text())
    print(f"library only: read + validate + score the sample workbook: {time.perf_counter() - started:.3f} s")

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    print(f"AppTest first load (cold cache, 总览): {first:.3f} s")

    times: dict[str, list[float]] = {p: [] for p in PAGES}
    for _ in range(rounds):
        for page in PAGES:
            at.switch_page(f"app_pages/{page}.py")
            started = time.perf_counter()
            at.run()
            times[page].append(time.perf_counter() - started)
            assert not at.exception, (page, [e.value for e in at.exception])
    print(f"AppTest cached page switch, {rounds} rounds (median / max, s):")
    worst = 0.0
    for page in PAGES:
        med, top = statistics.median(times[page]), max(times[page])
        worst = max(worst, med)
        print(f"  {TITLES[page]:<6} {med:.3f} / {top:.3f}")
    verdict = "within" if worst < TARGET else "OVER"
    print(f"slowest median switch {worst:.3f} s: {verdict} the {TARGET} s target")


def bench_browser(rounds: int) -> None:
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            started = time.perf_counter()
            page.goto(url)
            page.locator("h1", has_text="总览").first.wait_for(timeout=60_000)
            print(
                f"browser first load (new server, 总览 heading shown): {time.perf_counter() - started:.3f} s"
            )
            page.wait_for_timeout(1500)
            drawn = "() => [...document.querySelectorAll('.stPlotlyChart')].every(e => e.querySelector('.main-svg'))"
            times: dict[str, list[tuple[float, float]]] = {p: [] for p in PAGES}
            for _ in range(rounds):
                for slug in PAGES:
                    link = page.locator("[data-testid='stSidebarNav'] a", has_text=TITLES[slug]).first
                    started = time.perf_counter()
                    link.click()
                    page.locator("h1", has_text=TITLES[slug]).first.wait_for()
                    heading = time.perf_counter() - started
                    page.wait_for_function(drawn)
                    times[slug].append((heading, time.perf_counter() - started))
                    page.wait_for_timeout(300)
            print(
                f"browser page switch, {rounds} rounds, median s (click → heading shown / → all charts drawn):"
            )
            worst = 0.0
            for slug in PAGES:
                heading = statistics.median(t[0] for t in times[slug])
                charts = statistics.median(t[1] for t in times[slug])
                worst = max(worst, charts)
                print(f"  {TITLES[slug]:<6} {heading:.3f} / {charts:.3f}")
            verdict = "within" if worst < TARGET else "OVER"
            print(f"slowest median switch in the browser {worst:.3f} s: {verdict} the {TARGET} s target")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also measure a real server in chromium")
    args = parser.parse_args()
    bench_apptest(args.rounds)
    if args.browser:
        bench_browser(args.rounds)


if __name__ == "__main__":
    main()
