"""The app's shared frame: the sidebar (data source, rulebook, month, vendor), loading with progress,
and the guard every page uses when the upload cannot be scored."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import data as d
from dashboard.views.checks import problems_table
from kpi.pipeline import rulebook_applies

CONTEXT_KEY = "_ctx"
CHECKS_PAGE = "app_pages/checks.py"


@dataclass(frozen=True)
class Context:
    loaded: d.Loaded
    month: str | None
    vendor: str | None
    sample: bool


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


def load(
    data: bytes,
    name: str,
    key: str,
    rules_text: str,
    rules_source: str,
    extra: d.Uploads = (),
    source: d.Source = ("", ""),
) -> d.Loaded:
    """Read → validate → score, each step cached by content; progress shown on a first load."""
    seen = st.session_state.setdefault("_loaded_keys", set())
    run_key = (key, d.digest(rules_text.encode("utf-8")), source)

    def steps(bar=None) -> d.Loaded:
        rules, rule_problems = d.cached_rules(rules_text, rules_source)
        if bar:
            bar.progress(20, text="读取并校验工作簿…")
        records, problems = d.cached_read(key, name, data)
        if rules is not None:
            problems = problems or rulebook_applies(records, rules, name)
        cards, agents, reconciliation, notices = (), None, None, ()
        if rules is not None and not problems:
            if bar:
                bar.progress(40, text="读取话务明细…")
            records, agents, reconciliation, problems, notices = d.cached_detail(
                key, name, rules_text, rules_source, data, records, extra, source=source
            )
        if rules is not None and not problems:
            if bar:
                bar.progress(70, text="评分与结算…")
            cards = d.cached_score(key, name, rules_text, rules_source, records)
        if bar:
            bar.progress(100, text="完成")
        return d.Loaded(
            name, key, rules, records, cards, problems, rule_problems, agents, reconciliation, notices
        )

    if run_key in seen:
        return steps()
    with st.status(f"正在载入 {name}…", expanded=False) as box:
        loaded = steps(st.progress(0, text="读取规则本…"))
        state = "complete" if loaded.ok else "error"
        label = (
            f"已载入 {name}"
            if loaded.ok
            else f"{name}：发现 {len(loaded.problems) + len(loaded.rule_problems)} 处问题"
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
    if extra:  # the detail step's cache key covers the extra files too
        key = d.digest((key + "".join(d.digest(b) for b, _ in extra)).encode("utf-8"))
    loaded = load(data, name, key, rules_text, rules_source, extra, source)
    if rules_upload_problems:
        loaded = d.Loaded(
            loaded.file, loaded.digest, None, loaded.records, (), loaded.problems, rules_upload_problems
        )
    with st.sidebar:
        st.caption(("当前：" + d.SAMPLE_LABEL + " " if sample else "当前：") + name)
        if loaded.rules is not None:
            st.caption(f"规则本：{loaded.rules.name}（{rules_source}）")
        month = _pick("月份", loaded.months, "month", loaded.months[-1] if loaded.months else "")
        vendor = _pick("外包公司", loaded.vendors, "vendor", loaded.vendors[0] if loaded.vendors else "")
    ctx = Context(loaded, month, vendor, sample)
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
        what = "规则本" if loaded.rule_problems else "工作簿"
        st.error(f"{what}中发现 {count} 处问题，未评分。请修正后重新上传。")
        shown = (loaded.rule_problems + loaded.problems)[:5]
        st.markdown("\n".join(f"{i}. {p}" for i, p in enumerate(shown, 1)))
        if count > len(shown):
            st.caption(f"……另有 {count - len(shown)} 处，见「数据检查」。")
        st.page_link(CHECKS_PAGE, label="查看完整的数据检查报告", icon=":material/fact_check:")
    else:
        st.warning("工作簿中没有可评分的数据行。")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run


def show_problems(problems) -> None:
    st.dataframe(problems_table(problems), hide_index=True, width="stretch")
