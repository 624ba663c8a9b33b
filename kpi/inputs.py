"""The figures a vendor-month has: one column of the summary sheet 月度指标 each (see shared spec:
monthly-workbook.md), with its Chinese header, the English key also accepted as a header, aliases met
in practice, and its kind.

This vocabulary is shared by every step (records, rulebook checks, scoring, the summary reader), so it
sits at the base; which sheet holds these columns is `kpi.summary`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # "month" | "text" | "count" | "rate" | "score"
    required: bool = True
    aliases: tuple[str, ...] = ()
    at_most: str | None = None  # key of the column this count may not exceed
    not_held_words: tuple[str, ...] = ()  # cell texts stating the thing was not held this month

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, self.key, *self.aliases)


SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("month", "月份", "month", aliases=("考核月份", "统计月份")),
    Column("vendor", "外包公司", "text", aliases=("合作公司", "外包商", "合作商")),
    Column("valid_calls", "有效话务量", "count"),
    Column("connected_calls", "接通量", "count", aliases=("承接通话量", "区域接通量", "接通话务量")),
    Column(
        "repeat_2h_calls",
        "2小时重复呼叫数",
        "count",
        at_most="connected_calls",
        aliases=("二小时重复呼叫数", "2小时重复拨打数"),
    ),
    Column("dial_tests", "质量拨测数", "count"),
    Column("dial_tests_correct", "质量拨测正确数", "count", at_most="dial_tests"),
    Column("monitored_calls", "在线监听数", "count"),
    Column("monitored_correct", "在线监听正确数", "count", at_most="monitored_calls"),
    Column("dispatched_tickets", "分派工单数", "count"),
    Column("expert_transfers", "转接专家席数", "count", aliases=("转接专家席通话量",)),
    Column("service_complaints", "成立服务投诉数", "count", aliases=("服务投诉数",)),
    Column("tickets_created", "建单数", "count"),
    Column("tickets_sampled", "工单抽测数", "count"),
    Column("tickets_correct", "工单抽测正确数", "count", at_most="tickets_sampled"),
    Column("dissatisfied_ratings", "短信不满意数", "count"),
    Column("dissatisfied_callbacks", "不满意回访数", "count", at_most="dissatisfied_ratings"),
    Column("agents_total", "座席总数", "count", aliases=("坐席总数",)),
    Column("exam_takers", "参考人数", "count", at_most="agents_total"),
    Column(
        "exam_average",
        "考试平均分",
        "score",
        required=False,
        not_held_words=("未组织", "无考试", "本月无考试"),
    ),
    Column("escalated_complaints", "升级投诉数", "count"),
    Column("audit_pass_rate", "业务稽核合格率", "rate"),
    Column("missing_audit_records", "台账自查缺失数", "count"),
    Column("security_incidents", "信息安全事件数", "count"),
    Column("emergency_expected", "突发应承接量", "count", required=False),
    Column("emergency_handled", "突发实际承接量", "count", required=False),
)

BY_KEY: dict[str, Column] = {c.key: c for c in SUMMARY_COLUMNS}
INPUT_KEYS: frozenset[str] = frozenset(c.key for c in SUMMARY_COLUMNS if c.kind not in ("month", "text"))


def over_limit(values: dict[str, object]) -> list[tuple[Column, object, object]]:
    """The counts above the column they may not exceed (more correct dial tests than tests …), as
    (column, value, limit)."""
    out = []
    for key, value in values.items():
        column = BY_KEY.get(key)
        limit = values.get(column.at_most) if column and column.at_most else None
        if limit is not None and value is not None and value > limit:
            out.append((column, value, limit))
    return out


def label(key: str) -> str:
    """The Chinese header of an input key (the key itself if unknown)."""
    column = BY_KEY.get(key)
    return column.header if column else key
