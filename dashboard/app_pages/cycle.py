"""月度流程: the months with their state and version, publish / finalise with a confirmation,
disputes with their evidence and decisions; the sample importable with one click.

What is read goes through the user's scope (dashboard.access): a vendor sees its own months' payout,
its own disputes and statement, and files disputes only for itself; 财务 reads everything and changes
nothing; only 合同管理 imports, publishes, finalises and decides."""

import streamlit as st

from dashboard import access, ui
from dashboard import data as d
from dashboard.views import cycle as v
from kpi.history import cycle
from kpi.history.disputes import download_evidence, resolve_dispute
from kpi.history.store import HistoryError, describe, reading
from kpi.history.versions import month_versions
from kpi.inputs import BY_KEY, INPUT_KEYS
from kpi.reports.statement_pdf import FontMissing
from kpi.rules.rulebook import parse_rulebook

st.title("月度流程")
scope = ui.context().scope
db = d.cycle_db()
try:
    engine = d.history_engine(db)
except HistoryError as exc:
    st.error(v.plain(str(exc)))
    st.stop()
st.caption(
    f"历史数据库：{v.plain(describe(str(engine.url)))}（环境变量 KPI_DB 可指定）。状态：草稿 → 已发布 → 已定稿。"
)
if scope.demo:
    user = st.text_input("操作人", value=v.default_user(), key="cycle_user").strip()
else:  # signed in: the actions are the user's own
    user = st.text_input("操作人", value=scope.user, disabled=True).strip()


def report(result: tuple[bool, str]) -> None:
    st.session_state["cycle_message"] = result


with reading(engine) as conn:
    rows = access.scoped_months(conn, scope)
if "cycle_message" in st.session_state:
    ok, text = st.session_state.pop("cycle_message")
    (st.success if ok else st.error)(v.plain(text))

if scope.runs_cycle and st.button("一键导入示例数据（6 个月，草稿）", key="import_sample", disabled=not user):
    text = d.default_rules_text()
    report(v.act(lambda: v.import_sample(engine, parse_rulebook(text), text, d.SAMPLE, user)))
    st.rerun()
if not rows:
    st.info(
        "历史数据库中还没有任何月份：可用上面的按钮导入示例数据，或用命令 kpi import 导入工作簿。"
        if scope.runs_cycle
        else "历史数据库中还没有您可查看的月份。"
    )
    st.stop()
st.dataframe(v.months_frame(rows), hide_index=True, key="cycle_months")

month = st.selectbox("月份", [m.month for m in rows], index=len(rows) - 1, key="cycle_month")
summary = next(m for m in rows if m.month == month)
with reading(engine) as conn:
    versions = month_versions(conn, month)
    disputes = access.scoped_disputes(conn, month, scope)
draft = versions[-1] if versions[-1].state == "draft" else None
open_disputes = [x for x in disputes if x.state == "open"]
st.subheader(f"{month} · {summary.state_label} · {summary.version_label}")

if summary.state == "final":
    st.info(
        f"{month} 已定稿，不能再发布、登记或处理争议；更正须用 kpi correct 另立「更正」版本（原定稿版本保留）。"
    )
    if st.button("取出定稿结算单（PDF，记入审计记录）", key="statement_fetch", disabled=not user):
        try:
            st.session_state["final_statement"] = (
                month,
                *v.final_statement(engine, month, user, scope.vendor),
            )
        except (HistoryError, FontMissing) as exc:
            st.error(v.plain(str(exc)))
    taken = st.session_state.get("final_statement")
    if taken is not None and taken[0] == month:
        _, name, content, digest = taken
        st.download_button(
            f"下载「{name}」", content, file_name=name, mime="application/pdf", key="statement_download",
            on_click="ignore",
        )  # fmt: skip
        st.caption(f"指纹 SHA-256 {digest}（与定稿时相同的结算单，每次取出都一样）")
elif scope.runs_cycle:
    if draft is not None:
        sure = st.checkbox(f"确认发布第 {draft.number} 版（发布后外包公司可提出争议）", key="confirm_publish")
        if st.button("发布", key="publish", disabled=not (sure and user), type="primary"):
            report(v.act(lambda: f"已发布 {month} 第 {cycle.publish(engine, month, user).number} 版"))
            st.rerun()
    if summary.state == "published":
        sure = st.checkbox(f"确认定稿第 {summary.version} 版（定稿后不再改动）", key="confirm_finalise")
        if open_disputes:
            st.caption(f"还有 {len(open_disputes)} 条争议未处理，处理完才能定稿。")
        if st.button("定稿", key="finalise", disabled=not (sure and user) or bool(open_disputes)):
            report(v.act(lambda: f"已定稿 {month} 第 {cycle.finalise(engine, month, user).number} 版"))
            st.rerun()

st.subheader("争议")
if disputes:
    st.dataframe(
        access.masked_frame(v.disputes_frame(disputes), scope), hide_index=True, key="cycle_disputes"
    )
else:
    st.caption("本月没有争议。")

fileable = [r.vendor for r in access.dispute_vendors(v.month_vendors(engine, versions), scope)]
if summary.state == "published" and fileable:
    with st.expander("登记争议", expanded=False), st.form("dispute_form", clear_on_submit=True, border=False):
        vendors = fileable
        vendor = st.selectbox("外包公司", vendors, key="dispute_vendor")
        keys = sorted(INPUT_KEYS, key=lambda k: list(BY_KEY).index(k))
        key = st.selectbox("输入项", keys, format_func=lambda k: BY_KEY[k].header, key="dispute_metric")
        claim = st.text_input("主张的值", key="dispute_claim")
        reason = st.text_input("理由", key="dispute_reason")
        proof = st.file_uploader("证据文件（可选）", key="dispute_evidence")
        if st.form_submit_button("登记争议", key="dispute_add", disabled=not user):
            given = (proof.name, proof.getvalue()) if proof is not None else None
            report(
                v.act(
                    lambda: (
                        f"已登记争议 #{access.file_dispute(engine, scope, month, vendor, key, claim, reason, user, given).id}"
                    )
                )
            )
            st.rerun()
    if open_disputes and scope.runs_cycle:
        with (
            st.expander("处理争议", expanded=True),
            st.form("resolve_form", clear_on_submit=True, border=False),
        ):
            number = st.selectbox(
                "争议", [x.id for x in open_disputes], format_func=lambda n: f"#{n}", key="resolve_id"
            )
            decision = st.radio("决定", ["接受", "驳回"], horizontal=True, key="resolve_decision")
            why = st.text_input("处理理由", key="resolve_reason")
            value = st.text_input("采用的值（接受时可改，默认为主张的值）", key="resolve_value") or None
            if st.form_submit_button("提交处理", key="resolve", disabled=not user):
                accept = decision == "接受"
                report(
                    v.act(
                        lambda: (
                            f"争议 #{number} {resolve_dispute(engine, number, accept, why, user, value if accept else None).state_label}"
                        )
                    )
                )
                st.rerun()

with_evidence = [x for x in disputes if x.evidence_name and access.takes_evidence(scope, x)]
if with_evidence:
    number = st.selectbox(
        "证据文件", [x.id for x in with_evidence], format_func=lambda n: f"争议 #{n}", key="evidence_id"
    )
    if st.button("取出证据文件（记入审计记录）", key="evidence_fetch", disabled=not user):
        try:
            access.check_evidence(engine, number, scope)
            st.session_state["evidence"] = download_evidence(engine, number, user)
        except HistoryError as exc:
            st.error(v.plain(str(exc)))
    if "evidence" in st.session_state:
        name, content, digest = st.session_state["evidence"]
        st.download_button(
            f"下载「{v.plain(name)}」", content, file_name=name, key="evidence_download", on_click="ignore"
        )
        st.caption(f"SHA-256 {digest}")
