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
