"""A month's settlement statement read back from the history: `kpi statement --month M` without a
workbook.

The version printed is the month's standing one (the final version once finalised, else the
published one, else the newest draft), or a version named by its number. Its scorecards are rebuilt
by scoring the stored records under the stored rulebook text, and must give the stored statement
lines exactly: if they do not (a different kpi scores differently), nothing is printed rather than
different money. The fingerprint is the one `kpi statement 工作簿` prints for the same files and
rulebook, plus one source per value changed since the import (an accepted dispute or a correction),
so a statement with changed values never shares a fingerprint with the workbook's. A final
version's statement is dated on its finalisation day, so every print of it reads the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from kpi.history import audit
from kpi.history.audit import canonical, sha256_text
from kpi.history.snapshot import record_from, statement_line
from kpi.history.store import HistoryError, writing
from kpi.history.tables import rulebooks, source_files, versions
from kpi.history.versions import (
    KIND_LABELS,
    STATE_LABELS,
    current,
    month_versions,
    stamp,
    vendor_rows,
)
from kpi.history.versions import now as local_now
from kpi.inputs import BY_KEY
from kpi.reports.fingerprint import (
    CORRECTION,
    DETAIL,
    DISPUTE,
    PROFILE,
    RULEBOOK,
    WORKBOOK,
    Fingerprint,
    Source,
    from_sources,
)
from kpi.reports.statement_doc import build_statement
from kpi.reports.statement_records import Statement
from kpi.rules.rulebook import DEFAULT_RULEBOOK, Rulebook, parse_rulebook
from kpi.scoring.scorecard import Scorecard, score

FILE_ROLES = {"workbook": WORKBOOK, "detail": DETAIL, "source": PROFILE}


@dataclass(frozen=True)
class StoredStatement:
    month: str
    number: int
    state: str  # draft | published | final | superseded
    version_label: str  # as printed: 第 2 版（争议更正，已定稿）
    lines_fingerprint: str  # the version's (of its statement lines, what `kpi finalise` printed)
    statement: Statement


def _version(conn: Connection, month: str, number: int | None) -> Row:
    rows = month_versions(conn, month)
    if not rows:
        raise HistoryError(f"{month} 还没有导入过，历史数据库中没有它的结算单（先用 kpi import 导入该月）")
    if number is None:
        found = current(rows)
        assert found is not None
        return found
    for row in rows:
        if row.number == number:
            return row
    have = "、".join(f"第 {r.number} 版" for r in rows)
    raise HistoryError(f"{month} 没有第 {number} 版（有：{have}）")


def _root(conn: Connection, version: Row) -> Row:
    """The imported version a dispute or correction version descends from."""
    while version.parent_id is not None:
        version = conn.execute(sa.select(versions).where(versions.c.id == version.parent_id)).one()
    return version


def _changes(conn: Connection, version: Row, records: dict[str, dict]) -> list[Source]:
    """One source per input whose value differs from the import's (disputes accepted, corrections)."""
    if version.parent_id is None:
        return []
    imported = {r.vendor: json.loads(r.record) for r in vendor_rows(conn, _root(conn, version).id)}
    out = []
    for vendor, record in sorted(records.items()):
        before = imported.get(vendor, {}).get("inputs", {})
        for key, value in sorted(record["inputs"].items()):
            if before.get(key) == value:
                continue
            cause = str(record.get("sources", {}).get(key, ""))
            role = DISPUTE if cause.startswith("dispute") else CORRECTION
            label = BY_KEY[key].header if key in BY_KEY else key
            why = f"（争议 #{cause.partition(':')[2]}）" if cause.startswith("dispute:") else ""
            name = f"{vendor} {label} {before.get(key)} → {value}{why}"
            out.append(Source(role, name, sha256_text(canonical([vendor, key, value]))))
    return out


def _fingerprint(conn: Connection, version: Row, rules_name: str, changes: list[Source]) -> Fingerprint:
    files = conn.execute(
        sa.select(source_files.c.role, source_files.c.name, source_files.c.sha256)
        .where(source_files.c.version_id == version.id)
        .order_by(source_files.c.id)
    )
    sources = [Source(FILE_ROLES[f.role], f.name, f.sha256) for f in files if f.role in FILE_ROLES]
    return from_sources([*sources, Source(RULEBOOK, rules_name, version.rulebook_sha256), *changes])


def _rules_name(conn: Connection, version: Row) -> str:
    """The rulebook's name as `kpi statement 工作簿` prints it: its file's, or the built-in one's."""
    named = conn.execute(
        sa.select(source_files.c.name).where(
            source_files.c.version_id == version.id, source_files.c.role == "rules"
        )
    ).scalar()
    return named or f"kpi/rules/{DEFAULT_RULEBOOK}"


def _cards(version: Row, rows: list[Row], rules: Rulebook) -> list[Scorecard]:
    cards = []
    for row in rows:
        card = score(record_from(json.loads(row.record)), rules)
        if statement_line(card) != json.loads(row.statement):
            raise HistoryError(
                f"{version.month} 第 {version.number} 版「{row.vendor}」按所存的输入和规则本重新计算，"
                f"结算行与存档的不一致（存档应付 {row.payout} 元，重算 {statement_line(card)['payout']} 元）；"
                "为免印出不同的金额，未生成结算单。请用存档时的 kpi 版本出单，或联系维护人员"
            )
        cards.append(card)
    return cards


def stored_statement(
    conn: Connection,
    month: str,
    vendor: str | None = None,
    number: int | None = None,
    today: date | None = None,
) -> StoredStatement:
    """The statement of the month's standing version (or version `number`), one vendor's or all."""
    version = _version(conn, month, number)
    rows = vendor_rows(conn, version.id)
    if vendor is not None:
        mine = [r for r in rows if r.vendor == vendor]
        if not mine:
            names = "、".join(sorted(r.vendor for r in rows))
            raise HistoryError(f"{month} 第 {version.number} 版中没有外包公司「{vendor}」（有：{names}）")
        rows = mine
    text = conn.execute(
        sa.select(rulebooks.c.text).where(rulebooks.c.sha256 == version.rulebook_sha256)
    ).scalar_one()
    rules_name = _rules_name(conn, version)
    rules = parse_rulebook(text, source=rules_name)
    cards = _cards(version, rows, rules)
    changes = _changes(conn, version, {r.vendor: json.loads(r.record) for r in rows})
    fp = _fingerprint(conn, version, rules_name, changes)
    final = version.state == "final" and version.finalised_at
    issued = datetime.fromisoformat(version.finalised_at).date() if final else (today or date.today())
    label = f"第 {version.number} 版（{KIND_LABELS[version.kind]}，{STATE_LABELS[version.state]}）"
    doc = build_statement(cards, rules, fp, issued, label)
    return StoredStatement(month, version.number, version.state, label, version.fingerprint, doc)


def export_statement(
    engine: Engine,
    month: str,
    vendor: str | None,
    number: int | None,
    user: str,
    write: Callable[[Statement], str],
    when: datetime | None = None,
) -> StoredStatement:
    """Read the statement, have `write` put it in a file (returning the file's name), and record the
    export as an audit row — all in one transaction: a file that could not be written leaves no row."""
    at = stamp(when or local_now())
    with writing(engine) as conn:
        stored = stored_statement(conn, month, vendor, number)
        doc = stored.statement
        name = write(doc)
        audit.append(
            conn, at, user, "export", month,
            f"导出 {month} {stored.version_label} 结算单（{doc.scope}）「{name}」", {},
            {"version": stored.number, "state": STATE_LABELS[stored.state], "vendor": vendor, "file": name,
             "payout_total": f"{doc.total_payout:.2f}", "fingerprint": doc.fingerprint.sha256,
             "lines_fingerprint": stored.lines_fingerprint},
        )  # fmt: skip
    return stored
