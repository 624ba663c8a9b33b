"""The app's shared frame: the sidebar (data source, rulebook, month, vendor), loading with progress,
and the guard every page uses when the upload cannot be scored.

Over ~250 lines: the sidebar's inputs (workbook, extra detail, source profile, rulebook) and the
one cached, time-limited load they feed are one flow; splitting them would pass half-built state."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import charts, worker
from dashboard import data as d
from dashboard.access import scoped
from dashboard.auth import current_scope
from dashboard.documents import Inputs
from dashboard.views.checks import problems_table
from dashboard.views.common import md
from dashboard.views.provenance import banner, not_judged, sources
from kpi.access.scope import Scope
from kpi.errors import Problem
from kpi.pipeline import rulebook_applies
from kpi.summary.reader import summary_notices

CONTEXT_KEY = "_ctx"
CHECKS_PAGE = "app_pages/checks.py"


@dataclass(frozen=True)
class Context:
    loaded: d.Loaded
    month: str | None
    vendor: str | None
    sample: bool
    inputs: Inputs | None = None  # the files behind the figures (statement fingerprint, evidence)
    scope: Scope | None = None  # who is looking: `loaded` holds only what this scope may see


def style() -> None:
    """Chinese for what Streamlit writes in English on the file uploaders ("Upload", "200MB per file"),
    via CSS (Streamlit has no option for it). No user text goes in here."""
    limit = st.get_option("server.maxUploadSize")
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzoneInstructions"] > div {display: none;}'
        '[data-testid="stFileUploaderDropzoneInstructions"]::after {'
        f'content: "单个文件不超过 {limit} MB，可拖放到此处"; font-size: 0.8rem; opacity: 0.7;}}'
        '[data-testid="stFileUploaderDropzone"] button > * {display: none;}'
        '[data-testid="stFileUploaderDropzone"] button::after {content: "选择文件";}'
        # on a phone a vendor card puts its two figures side by side (the page was ~3,900 px tall)
        "@media (max-width: 640px) {"
        '[class*="st-key-vendor_card_"] {flex-direction: row; flex-wrap: wrap; column-gap: 0.75rem;}'
        '[class*="st-key-vendor_card_"] > * {width: 100%;}'
        '[class*="st-key-vendor_card_"] > :has([data-testid="stMetric"]) {width: calc(50% - 0.5rem);}'
        '[class*="st-key-vendor_card_"] [data-testid="stMetricValue"] {font-size: 1.6rem;}'
        "}"
        "</style>"
    )


def _file_digest(upload) -> str:
    """The upload's SHA-256, computed once per uploaded file."""
    known = st.session_state.setdefault("_digests", {})
    if upload.file_id not in known:
        known.clear()
        known[upload.file_id] = d.digest(upload.getvalue())
    return known[upload.file_id]


OUR_HEADERS = "本工具的表头（话务明细）"
UPLOADED_SOURCE = "上传来源配置（TOML）"


def _detail_source() -> d.Source:
    """Which source profile the call-detail files are read through (a platform's export)."""
    choice = st.selectbox(
        "话单来源",
        [OUR_HEADERS, *d.BUILTIN_SOURCES, UPLOADED_SOURCE],
        key="detail_source",
        help="呼叫平台导出的话单（Asterisk、FreeSWITCH、其他 CTI）按来源配置读入；见 README「从呼叫平台导出的话单」。",
    )
    if choice in d.BUILTIN_SOURCES:
        return d.builtin_source(choice)
    if choice == UPLOADED_SOURCE:
        upload = st.file_uploader("上传来源配置（TOML）", type=["toml"], key="source_upload")
        if upload is not None:
            text, _ = d.decode_rules(upload.getvalue(), upload.name)
            return upload.name, text if text is not None else "\x00"
    return "", ""


def _rules_source() -> tuple[str, str, tuple]:
    """The rulebook's text and name, or a problem with the uploaded file."""
    choice = st.radio("规则本", ["默认规则本", "上传规则本"], key="rules_choice", horizontal=True)
    if choice == "上传规则本":
        upload = st.file_uploader("上传规则本（TOML）", type=["toml"], key="rules_upload")
        if upload is not None:
            text, problems = d.decode_rules(upload.getvalue(), upload.name)
            if text is not None:
                return text, upload.name, ()
            return d.default_rules_text(), upload.name, problems
        st.caption("未上传时使用默认规则本。")
    st.download_button(
        "下载默认规则本",
        d.default_rules_text().encode("utf-8"),
        file_name="默认规则本.toml",
        mime="application/toml",
        key="download_default_rules",
    )
    return d.default_rules_text(), d.DEFAULT_RULES_SOURCE, ()


def stopped(name: str, exc: Exception) -> Problem:
    """A load that ran out of time or whose worker died, as a problem of the upload."""
    if isinstance(exc, worker.TimedOut):
        return Problem(
            f"处理超过 {exc.seconds:.0f} 秒仍未完成，已停止（其他用户不受影响）",
            file=name,
            expected="较小的文件：把话务明细按月或按公司拆开后再上传，或在命令行用 kpi score 处理",
        )
    return Problem(
        "读取时处理进程意外退出，文件可能已损坏或过于庞大（其他用户不受影响）",
        file=name,
        expected="在 Excel/WPS 中打开后另存为 .xlsx 再上传",
    )


def load(
    data: bytes,
    name: str,
    key: str,
    rules_text: str,
    rules_source: str,
    extra: d.Uploads = (),
    source: d.Source = ("", ""),
) -> d.Loaded:
    """Read → validate → score, each step cached by content and run in a worker process under one
    time limit; progress shown on a first load. A timeout or a crashed worker is a problem of the upload."""
    seen = st.session_state.setdefault("_loaded_keys", set())
    run_key = (key, d.digest(rules_text.encode("utf-8")), source)

    def steps(bar=None) -> d.Loaded:
        deadline = worker.Deadline()
        rules, rule_problems = d.cached_rules(rules_text, rules_source)
        if bar:
            bar.progress(20, text="读取并校验工作簿…")
        try:
            records, problems = d.cached_read(key, name, data, deadline)
        except (worker.TimedOut, worker.WorkerDied) as exc:
            return d.Loaded(name, key, rules, (), (), (stopped(name, exc),), rule_problems)
        notices = tuple(summary_notices(records))
        if rules is not None:
            problems = problems or rulebook_applies(records, rules, name)
        cards, agents, reconciliation, provenance, detail_notices = (), None, None, None, ()
        try:
            if rules is not None and not problems:
                if bar:
                    bar.progress(40, text="读取话务明细…")
                records, agents, reconciliation, problems, provenance, detail_notices = d.cached_detail(
                    key, name, rules_text, rules_source, data, records, extra, deadline, source
                )
            if rules is not None and not problems:
                if bar:
                    bar.progress(70, text="评分与结算…")
                cards = d.cached_score(key, name, rules_text, rules_source, records, deadline)
        except (worker.TimedOut, worker.WorkerDied) as exc:
            return d.Loaded(name, key, rules, records, (), (stopped(name, exc),), rule_problems)
        if bar:
            bar.progress(100, text="完成")
        return d.Loaded(
            file=name,
            digest=key,
            rules=rules,
            records=records,
            cards=cards,
            problems=problems,
            rule_problems=rule_problems,
            agents=agents,
            reconciliation=reconciliation,
            notices=notices,
            provenance=provenance,
            detail_notices=detail_notices,
        )

    if run_key in seen:
        return steps()
    with st.status(f"正在载入 {md(name)}…（大文件需要较长时间，请稍候）", expanded=False) as box:
        loaded = steps(st.progress(0, text="读取规则本…"))
        state = "complete" if loaded.ok else "error"
        label = (
            f"已载入 {md(name)}"
            if loaded.ok
            else f"{md(name)}：发现 {len(loaded.problems) + len(loaded.rule_problems)} 处问题"
        )
        box.update(label=label, state=state)
    seen.add(run_key)
    return loaded


def _pick(label: str, options: list[str], key: str, default: str) -> str | None:
    if not options:
        return None
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    return st.selectbox(label, options, key=key)


def build_context() -> Context:
    """Render the sidebar and load the chosen workbook under the chosen rulebook."""
    with st.sidebar:
        st.subheader("数据来源")
        upload = st.file_uploader(
            "上传月度工作簿（.xlsx / .xls / .csv）",
            type=["xlsx", "xls", "csv"],
            key="workbook_upload",
            help="不上传时使用内置示例数据（4 家外包公司 × 6 个月）。",
        )
        extras = st.file_uploader(
            "另附话务明细（可多个 .xlsx / .csv / 平台导出的 .txt / .log）",
            type=["xlsx", "xls", "csv", "txt", "tsv", "log"],
            accept_multiple_files=True,
            key="detail_upload",
            help="一个月的话务明细分在几个文件里时，与上面的工作簿一起读入。",
        )
        source = _detail_source()
        rules_text, rules_source, rules_upload_problems = _rules_source()
    if upload is None:
        data, name, key, sample = d.SAMPLE.read_bytes(), d.SAMPLE.name, "", True
        key = st.session_state.setdefault("_sample_digest", d.digest(data))
    else:
        data, name, key, sample = upload.getvalue(), upload.name, _file_digest(upload), False
    extra = tuple((f.getvalue(), f.name) for f in extras or ())
    key = d.uploads_key(key, extra)  # the detail step's cache key covers the extra files' names and bytes
    loaded = load(data, name, key, rules_text, rules_source, extra, source)
    if rules_upload_problems:
        loaded = d.Loaded(
            loaded.file, loaded.digest, None, loaded.records, (), loaded.problems, rules_upload_problems
        )
    scope = current_scope()
    loaded, said = scoped(loaded, scope, own_upload=not sample)  # before anything reaches a page
    for text in said:  # a vendor's self-audit of a workbook holding other vendors' rows
        st.warning(md(text), icon=":material/visibility_off:")
    with st.sidebar:
        st.caption(("当前：" + d.SAMPLE_LABEL + " " if sample else "当前：") + md(name))
        if loaded.rules is not None:
            st.caption(f"规则本：{md(loaded.rules.name)}（{md(rules_source)}）")
        month = _pick("月份", loaded.months, "month", loaded.months[-1] if loaded.months else "")
        vendor = _pick("外包公司", loaded.vendors, "vendor", loaded.vendors[0] if loaded.vendors else "")
    ctx = Context(
        loaded, month, vendor, sample, Inputs(data, name, extra, rules_text, rules_source, source), scope
    )
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def context() -> Context:
    return st.session_state[CONTEXT_KEY]


def problem_count(loaded: d.Loaded) -> int:
    return len(loaded.problems) + len(loaded.rule_problems)


def require_cards(ctx: Context) -> d.Loaded:
    """Stop the page with the validation summary when nothing could be scored."""
    loaded = ctx.loaded
    if loaded.ok:
        return loaded
    count = problem_count(loaded)
    if count:
        for what, problems in (("规则本", loaded.rule_problems), ("工作簿", loaded.problems)):
            if problems:
                st.error(f"{what}中发现 {len(problems)} 处问题，未评分。请修正后重新上传。")
        shown = (loaded.rule_problems + loaded.problems)[:5]
        show_problems(shown)
        if count > len(shown):
            st.caption(f"……另有 {count - len(shown)} 处，见「数据检查」。")
        st.page_link(CHECKS_PAGE, label="查看完整的数据检查报告", icon=":material/fact_check:")
    else:
        st.warning("工作簿中没有可评分的数据行。")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run


def chart(figure, key: str) -> None:
    """A plotly chart without its toolbar (on a phone the toolbar covered the title)."""
    st.plotly_chart(figure, key=key, config=charts.CONFIG)


def provenance(loaded: d.Loaded, month: str, vendor: str | None = None) -> None:
    """The banner of where the figures came from (call detail vs declared), and the calls that could
    not be judged, as `kpi score` / `kpi explain` note them."""
    text = banner(loaded.provenance, month, vendor)
    if text:
        differs = any(vendor is None or x.vendor == vendor for x in loaded.provenance.differences)
        (st.warning if differs else st.info)(md(text), icon=":material/fact_check:")
    notes = [sources(loaded.provenance, month), not_judged(loaded.provenance, month, vendor)]
    if any(notes):
        st.caption(md("".join(n for n in notes if n)))


def show_problems(problems) -> None:
    st.dataframe(problems_table(problems), hide_index=True, width="stretch")


def history(ctx: Context):
    """The history database's standing vendor-months (`data.history_standing`) the user may see."""
    return d.history_standing(ctx.scope)


def readings(ctx: Context):
    """The chosen month's reading rows (`kpi readings`) for the loaded workbook, cached by content."""
    i = ctx.inputs
    rows = d.cached_readings(
        ctx.loaded.digest, i.name, i.rules_text, i.rules_source, ctx.month, i.source, i.data, i.extra
    )
    return ctx.scope.keep(rows) if ctx.scope is not None else ()
