"""Helpers for the history tests: every table's rows (to show a database unchanged), the audit rows."""

from __future__ import annotations

import sqlalchemy as sa

from kpi.history import audit
from kpi.history.store import open_store, reading
from kpi.history.tables import metadata


def table_rows(db: str) -> dict[str, list[tuple]]:
    """Every row of every history table, in a stable order."""
    engine = open_store(db)
    try:
        with reading(engine) as conn:
            return {
                t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
                for t in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def audit_rows(db: str) -> list[audit.AuditRow]:
    engine = open_store(db)
    try:
        with reading(engine) as conn:
            return audit.rows(conn)
    finally:
        engine.dispose()


def small_workbook(path, vendors=("甲公司", "乙公司"), months=("2024-03", "2024-04", "2024-05"), **changes):
    """A summary-only workbook (the spec's example per vendor and month), quick to import."""
    from tests.builders import SPEC_EXAMPLE, write_summary

    rows = [dict(SPEC_EXAMPLE, vendor=v, month=m, **changes) for m in months for v in vendors]
    return write_summary(path, rows)
