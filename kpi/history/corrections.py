"""Correcting a finalised month without changing it: a new version marked 更正 (correction), itself
final, with the corrected input re-scored, its reason, its author and its approver (someone else).
The version that was final stays exactly as it was (what was paid can always be shown); the month's
figures are from then on the correction's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from kpi.history import audit
from kpi.history.derive import Change, derive
from kpi.history.disputes import input_key, parse_value
from kpi.history.store import HistoryError, writing
from kpi.history.versions import now as local_now
from kpi.history.versions import rulebook_of, stamp, with_state
from kpi.inputs import BY_KEY


@dataclass(frozen=True)
class Correction:
    month: str
    vendor: str
    label: str
    replaces: int  # the number of the final version corrected (kept)
    number: int  # the new version's
    before: dict[str, object]
    after: dict[str, object]


def correct(
    engine: Engine,
    month: str,
    vendor: str,
    metric: str,
    value: str,
    reason: str,
    user: str,
    approver: str,
    when: datetime | None = None,
) -> Correction:
    at = stamp(when or local_now())
    if not reason.strip():
        raise HistoryError("请写明更正的理由（--reason）")
    if not approver.strip() or approver.strip() == user:
        raise HistoryError("更正须由操作人以外的另一人批准（--approver）")
    with writing(engine) as conn:
        version = with_state(
            conn, month, "final", "更正（更正只用于已定稿的月份；未定稿时请重新导入或处理争议）"
        )
        rules = rulebook_of(conn, version)
        key = input_key(
            metric,
            {m.id: (m.ratio.numerator + m.ratio.denominator) if m.ratio else () for m in rules.metrics},
        )
        change = Change(vendor, key, parse_value(key, value), "correction")
        note = f"更正：{reason}（批准人：{approver}）"
        made = derive(conn, version, change, state="final", kind="correction", note=note, at=at, user=user,
                      supersede=False)  # fmt: skip
        label = BY_KEY[key].header
        audit.append(
            conn, at, user, "correct", month, f"更正 {month} {vendor} {label}：第 {version.number} 版保留，生成第 {made.number} 版",
            made.before, {**made.after, "reason": reason, "approver": approver},
        )  # fmt: skip
    return Correction(month, vendor, label, version.number, made.number, made.before, made.after)
