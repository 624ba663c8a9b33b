"""Walking the app through AppTest as one signed-in user: every page, every month, every option of
every selectbox / radio / toggle / multiselect, typed searches and the 模拟 inputs; collecting the text
of every element (labels, values, options, tables' cells, charts' specs) and the bytes of every download
button (captured where Streamlit registers them: its media file manager, eager and deferred alike).

What each walk must not find is the test's: another vendor's name, figures and agents, or a caller
number in full.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from google.protobuf.json_format import MessageToDict
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from tests.paths import ROOT

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ("overview", "scorecard", "trends", "agents", "settlement", "simulate", "checks", "cycle")
SIDEBAR_KEYS = {"month", "vendor", "detail_source", "rules_choice", "workbook_upload", "detail_upload"}


def element_texts(at: AppTest, typed: frozenset[str] = frozenset()) -> list[str]:
    """The text of every element in the app's tree: its protobuf message as JSON (labels, values,
    options, help, markdown bodies, chart specs) and each table's cells, index and headers; a text box
    holding what the walk typed into it (`typed`: the user's own words) is left out."""
    out: list[str] = []

    def visit(node) -> None:
        if getattr(node, "type", "") == "text_input" and node.value in typed:
            return
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(json.dumps(MessageToDict(proto), ensure_ascii=False))
        if isinstance(node, Dataframe):
            out.append(node.value.to_csv())
        elif hasattr(node, "value") and not hasattr(node, "children"):
            try:
                out.append(str(node.value))
            except Exception:  # noqa: BLE001 - an element without a readable value adds nothing
                pass
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return out


class Downloads:
    """Every file a download button offered during a walk, by file name (eager bytes or the deferred
    builder, made on demand as the browser would when clicked)."""

    def __init__(self, monkeypatch) -> None:
        self.files: dict[str, bytes | Callable[[], bytes]] = {}
        real_add, real_deferred = MediaFileManager.add, MediaFileManager.add_deferred

        def add(manager, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
            if is_for_static_download and file_name:
                self.files[file_name] = data
            return real_add(manager, data, mimetype, coordinates, file_name, is_for_static_download)

        def add_deferred(manager, builder, mimetype, coordinates, file_name=None, **options):
            self.files[file_name or coordinates] = builder
            return real_deferred(manager, builder, mimetype, coordinates, file_name, **options)

        monkeypatch.setattr(MediaFileManager, "add", add)
        monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)

    def texts(self) -> dict[str, str]:
        """Each file's text: .xlsx cell values (every sheet), .pdf through poppler's pdftotext, the rest decoded."""
        out = {}
        for name, content in self.files.items():
            data = content() if callable(content) else content
            data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            out[name] = file_text(name, data)
        return out


def file_text(name: str, data: bytes) -> str:
    assert data, f"{name}: the download is empty"
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(
            [ws.title for ws in book.worksheets]
            + [
                str(c.value)
                for ws in book.worksheets
                for row in ws.iter_rows()
                for c in row
                if c.value is not None
            ]
        )
    if name.endswith(".pdf"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "file.pdf"
            path.write_bytes(data)
            done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
            return done.stdout.decode("utf-8")
    return data.decode("utf-8-sig")


# ------------------------------------------------------------------ what may not be found
_DECIMAL = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})*(?:\.\d+)?(?![\d])|(?<![\d.,])\d+\.\d+(?![\d])")
_AGENT = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{4}(?!\d)")
_DIGITS = re.compile(r"\d{7,}")


def figures(text: str) -> set[str]:
    """The numbers printed with decimals in a text, commas dropped (5,190.04 → 5190.04)."""
    return {t.replace(",", "") for t in _DECIMAL.findall(text) if "." in t}


def leaks(text: str, names: set[str], numbers: set[str], agents: set[str]) -> list[str]:
    """What of another vendor a text shows: its name, one of its figures, one of its agents."""
    found = [n for n in names if n in text]
    found += sorted(figures(text) & numbers)
    found += sorted(set(_AGENT.findall(text)) & agents)
    return found


def full_callers(text: str, callers: set[str]) -> list[str]:
    """The caller numbers of the call detail a text shows in full (any run of 7 or more digits that is
    one of them, whatever its form)."""
    return sorted(set(_DIGITS.findall(text)) & callers)


# ------------------------------------------------------------------ the walk
def step(at: AppTest) -> AppTest:
    """One run checked: no exception, and no bug caught by the page's error boundary."""
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "参考编号" in e.value], "a page failed: see the log"
    return at


def main_widgets(at: AppTest) -> list[tuple[str, str]]:
    """(kind, key) of the page's inputs (not the sidebar's, not inside a form)."""
    found = []
    for kind in ("selectbox", "radio", "toggle", "checkbox", "multiselect", "text_input", "number_input"):
        for w in getattr(at.main, kind):
            if w.key and w.key not in SIDEBAR_KEYS and not getattr(w, "form_id", ""):
                found.append((kind, w.key))
    return found


def _plain(widget) -> list | None:
    """The options of a choice widget as values, when it shows them as they are (no format_func);
    AppTest keeps only the shown labels, so a formatted widget's values come from the test (`raw`)."""
    shown = list(widget.options)
    try:
        same = all(str(widget.format_func(o)) == o for o in shown)
    except Exception:  # noqa: BLE001 - a format_func that cannot take its own label
        same = False
    return shown if same else None


def states(at: AppTest, kind: str, key: str, typed: list[str], raw: dict[str, list]) -> list:
    widget = getattr(at, kind)(key=key)
    values = (
        raw.get(key)
        if key in raw
        else _plain(widget)
        if kind in ("selectbox", "radio", "multiselect")
        else None
    )
    if kind in ("selectbox", "radio"):
        return values or []
    if kind in ("toggle", "checkbox"):
        return [not widget.value, widget.value]
    if kind == "multiselect":
        return [[o] for o in values] + [list(values)] if values else []
    if kind == "text_input":
        return [*typed, ""]
    if kind == "number_input":
        return [0, widget.value]
    return []


def _set(at: AppTest, kind: str, key: str, value) -> None:
    widget = getattr(at, kind)(key=key)
    widget.set_value(value)


def walk(
    at: AppTest,
    collect: Callable[[AppTest, str], None],
    pages: tuple[str, ...] = PAGES,
    typed: list[str] = (),
    every_widget_months: int = 2,
    raw: dict[str, list] | None = None,
) -> int:
    """Every page × every vendor × every month of the sidebar; for the last vendor on the first and
    last months (`every_widget_months`: 2, 1 the last only, 0 none) every state of every input of the
    page as well, one input at a time. Returns the runs made."""
    runs = 0
    for page in pages:
        step(at.switch_page(f"app_pages/{page}.py").run())
        collect(at, page)
        vendors = list(at.selectbox(key="vendor").options) if _has(at, "vendor") else [None]
        months = list(at.selectbox(key="month").options) if _has(at, "month") else [None]
        deep = {2: months[:1] + months[-1:], 1: months[-1:]}.get(every_widget_months, [])
        for vendor, month in [(v, m) for v in vendors for m in months]:
            if vendor is not None:
                step(at.selectbox(key="vendor").set_value(vendor).run())
            if month is not None:
                step(at.selectbox(key="month").set_value(month).run())
            collect(at, f"{page} {vendor} {month}")
            runs += 1
            if month not in deep or vendor != vendors[-1]:
                continue
            for kind, key in main_widgets(at):
                for value in states(at, kind, key, list(typed), raw or {}):
                    if not _present(at, kind, key):
                        break
                    _set(at, kind, key, value)
                    step(at.run())
                    collect(at, f"{page} {month} {key}={value!r}")
                    runs += 1
    return runs


def _has(at: AppTest, key: str) -> bool:
    return any(w.key == key for w in at.selectbox)


def _present(at: AppTest, kind: str, key: str) -> bool:
    return any(w.key == key for w in getattr(at, kind))
