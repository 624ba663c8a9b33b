"""Disputes on a published month: a vendor claims another value for one input, with a reason and
optionally an evidence file (kept whole with its SHA-256); the manager accepts (the input changes in
a new version, re-scored and published in place of the old one, which is kept) or rejects (the
reason is kept). Disputes are open only while the month is published, until its deadline.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kpi.history import audit
from kpi.history.derive import Change, derive
from kpi.history.snapshot import encode
from kpi.history.store import HistoryError, writing
from kpi.history.tables import disputes, evidence, versions
from kpi.history.versions import now as local_now
from kpi.history.versions import rulebook_of, stamp, vendor_rows, with_state
from kpi.inputs import BY_KEY, INPUT_KEYS

DISPUTE_STATES = {"open": "待处理", "accepted": "已接受", "rejected": "已驳回"}
MAX_EVIDENCE = 50 * 1024 * 1024  # bytes


def input_key(metric: str, rules_metrics: dict[str, tuple[str, ...]]) -> str:
    """The input a dispute is about: its key (repeat_2h_calls) or Chinese header (2小时重复呼叫数)."""
    for column in BY_KEY.values():
        if column.key in INPUT_KEYS and metric in column.names:
            return column.key
    if metric in rules_metrics:
        keys = "、".join(rules_metrics[metric])
        raise HistoryError(f"「{metric}」是考核指标，请用 --metric 指明争议的是哪一项输入：{keys}")
    raise HistoryError(
        f"不认识的输入项「{metric}」，应为输入项的键或表头，如 repeat_2h_calls 或 2小时重复呼叫数"
    )


def parse_value(key: str, text: str) -> int | Fraction:
    column = BY_KEY[key]
    try:
        if column.kind == "count":
            value: int | Fraction = int(text.strip())
            if value < 0:
                raise ValueError
            return value
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        expected = "非负整数" if column.kind == "count" else "数字（如 95.5）"
        raise HistoryError(f"「{column.header}」的值「{text}」无法识别，应为{expected}") from None
    if value < 0 or (column.kind == "rate" and value > 100):
        raise HistoryError(f"「{column.header}」的值「{text}」超出范围，应在 0 到 100 之间")
    return value


@dataclass(frozen=True)
class Dispute:
    id: int
    month: str
    vendor: str
    version: int  # the number of the version disputed
    metric: str
    label: str
    original: str | None
    claim: str
    reason: str
    state: str
    created_at: str
    created_by: str
    evidence_name: str | None
    evidence_sha256: str | None
    decided_at: str | None
    decided_by: str | None
    decision_reason: str | None
    decided_value: str | None
    result_version: int | None

    @property
    def state_label(self) -> str:
        return DISPUTE_STATES[self.state]


def list_disputes(
    conn: Connection, month: str | None = None, vendor: str | None = None, number: int | None = None
) -> list[Dispute]:
    disputed, result = versions.alias("disputed"), versions.alias("result")
    query = (
        sa.select(disputes, disputed.c.number, result.c.number.label("result_number"),
                  evidence.c.name.label("evidence_name"), evidence.c.sha256.label("evidence_sha256"))
        .join(disputed, disputed.c.id == disputes.c.version_id)
        .outerjoin(result, result.c.id == disputes.c.result_version_id)
        .outerjoin(evidence, evidence.c.dispute_id == disputes.c.id)
        .order_by(disputes.c.id)
    )  # fmt: skip
    if month is not None:
        query = query.where(disputes.c.month == month)
    if vendor is not None:
        query = query.where(disputes.c.vendor == vendor)
    if number is not None:
        query = query.where(disputes.c.id == number)
    return [
        Dispute(
            r.id, r.month, r.vendor, r.number, r.metric, BY_KEY[r.metric].header, r.original, r.claim, r.reason,
            r.state, r.created_at, r.created_by, r.evidence_name, r.evidence_sha256, r.decided_at, r.decided_by,
            r.decision_reason, r.decided_value, r.result_number,
        )
        for r in conn.execute(query)
    ]  # fmt: skip


def read_evidence(path: Path) -> tuple[str, bytes]:
    """An evidence file from disk: (name, content)."""
    if not path.is_file():
        raise HistoryError(f"找不到证据文件「{path}」")
    if path.stat().st_size > MAX_EVIDENCE:
        raise HistoryError(f"证据文件「{path.name}」超过 {MAX_EVIDENCE // 1024 // 1024} MB")
    return path.name, path.read_bytes()


def get_dispute(conn: Connection, number: int) -> Dispute:
    found = list_disputes(conn, number=number)
    if not found:
        raise HistoryError(f"没有编号为 #{number} 的争议（kpi dispute list 列出全部）")
    return found[0]


def add_dispute(
    engine: Engine,
    month: str,
    vendor: str,
    metric: str,
    claim: str,
    reason: str,
    user: str,
    evidence_file: tuple[str, bytes] | None = None,
    when: datetime | None = None,
) -> Dispute:
    """Open a dispute on the published month (until its deadline); `evidence_file`: (name, content)."""
    moment = when or local_now()
    at = stamp(moment)
    if not reason.strip():
        raise HistoryError("请写明争议的理由（--reason）")
    if evidence_file is not None and len(evidence_file[1]) > MAX_EVIDENCE:
        raise HistoryError(f"证据文件「{evidence_file[0]}」超过 {MAX_EVIDENCE // 1024 // 1024} MB")
    with writing(engine) as conn:
        version = with_state(conn, month, "published", "登记争议")
        if version.deadline is not None and moment.date().isoformat() > version.deadline:
            raise HistoryError(f"{month} 的争议期已于 {version.deadline} 结束，不能再登记争议")
        rules = rulebook_of(conn, version)
        key = input_key(
            metric,
            {m.id: (m.ratio.numerator + m.ratio.denominator) if m.ratio else () for m in rules.metrics},
        )
        value = parse_value(key, claim)
        rows = {r.vendor: r for r in vendor_rows(conn, version.id)}
        if vendor not in rows:
            raise HistoryError(
                f"{month} 第 {version.number} 版中没有外包公司「{vendor}」（有：{'、'.join(rows)}）"
            )
        record = json.loads(rows[vendor].record)
        original = record["inputs"].get(key)
        dispute_id = conn.execute(
            disputes.insert()
            .values(month=month, vendor=vendor, version_id=version.id, metric=key, original=original,
                    claim=encode(value), reason=reason, state="open", created_at=at, created_by=user)
            .returning(disputes.c.id)
        ).scalar_one()  # fmt: skip
        proof = None
        if evidence_file is not None:
            name, content = evidence_file
            proof = {"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            conn.execute(evidence.insert().values(dispute_id=dispute_id, content=content, **proof))
        audit.append(
            conn, at, user, "dispute", month, f"登记争议 #{dispute_id}：{vendor} {BY_KEY[key].header}", {},
            {"dispute": dispute_id, "vendor": vendor, "version": version.number, "metric": key,
             "original": original, "claim": encode(value), "reason": reason, "evidence": proof},
        )  # fmt: skip
        return get_dispute(conn, dispute_id)


def resolve_dispute(
    engine: Engine,
    number: int,
    accept: bool,
    reason: str,
    user: str,
    value: str | None = None,
    when: datetime | None = None,
) -> Dispute:
    """Reject (the reason kept), or accept: the input takes the claimed value (or `value`) in a new
    version, re-scored, published in place of the current one (kept as 已取代)."""
    at = stamp(when or local_now())
    if not reason.strip():
        raise HistoryError("请写明处理的理由（--reason）")
    with writing(engine) as conn:
        dispute = get_dispute(conn, number)
        version = with_state(conn, dispute.month, "published", "处理争议")
        if dispute.state != "open":
            raise HistoryError(f"争议 #{number} 已于 {dispute.decided_at} {dispute.state_label}，不能再处理")
        if not accept:
            if value is not None:
                raise HistoryError("驳回争议时不能给出 --value")
            conn.execute(disputes.update().where(disputes.c.id == number).values(
                state="rejected", decided_at=at, decided_by=user, decision_reason=reason))  # fmt: skip
            audit.append(
                conn, at, user, "reject", dispute.month, f"驳回争议 #{number}：{dispute.vendor} {dispute.label}",
                {"dispute": number, "state": "待处理"}, {"dispute": number, "state": "已驳回", "reason": reason},
            )  # fmt: skip
            return get_dispute(conn, number)
        new_value = parse_value(dispute.metric, value if value is not None else dispute.claim)
        change = Change(dispute.vendor, dispute.metric, new_value, f"dispute:{number}")
        made = derive(conn, version, change, state="published", kind="dispute", note=f"争议 #{number}",
                      at=at, user=user, supersede=True)  # fmt: skip
        conn.execute(disputes.update().where(disputes.c.id == number).values(
            state="accepted", decided_at=at, decided_by=user, decision_reason=reason,
            decided_value=encode(new_value), result_version_id=made.id))  # fmt: skip
        audit.append(
            conn, at, user, "accept", dispute.month,
            f"接受争议 #{number}：{dispute.vendor} {dispute.label}，生成第 {made.number} 版",
            {"dispute": number, "state": "待处理", **made.before},
            {"dispute": number, "state": "已接受", "reason": reason, **made.after},
        )  # fmt: skip
        return get_dispute(conn, number)


def evidence_file(conn: Connection, number: int) -> tuple[str, bytes, str]:
    """The evidence of a dispute as stored: (file name, content, SHA-256)."""
    row = conn.execute(sa.select(evidence).where(evidence.c.dispute_id == number)).first()
    if row is None:
        raise HistoryError(f"争议 #{number} 没有附证据文件")
    if hashlib.sha256(row.content).hexdigest() != row.sha256:
        raise HistoryError(f"争议 #{number} 的证据文件与登记时的 SHA-256 不符：已被改动")
    return row.name, bytes(row.content), row.sha256


def download_evidence(
    engine: Engine, number: int, user: str, when: datetime | None = None
) -> tuple[str, bytes, str]:
    """The evidence file of dispute #number; the download is an audit row ("export")."""
    at = stamp(when or local_now())
    with writing(engine) as conn:
        dispute = get_dispute(conn, number)
        name, content, digest = evidence_file(conn, number)
        audit.append(
            conn, at, user, "export", dispute.month, f"下载争议 #{number} 的证据文件「{name}」", {},
            {"dispute": number, "name": name, "sha256": digest, "size": len(content)},
        )  # fmt: skip
    return name, content, digest
