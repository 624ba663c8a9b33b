"""Makes the kept databases of earlier schema versions (run from the project root):

    .venv/bin/python tests/history/schemas/make_schemas.py

kpi-0001.db: a SQLite history at migration 0001 (before disputes existed) holding one imported month
(2024-05 of the sample, a draft) and its audit row, written by the code of that time's tables. The
migration tests upgrade a copy of it (and, on PostgreSQL, the same rows) to the newest schema.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from kpi.history.cycle import import_assessment  # noqa: E402
from kpi.history.snapshot import file_digest  # noqa: E402
from kpi.history.store import create, migrate, writing  # noqa: E402
from kpi.pipeline import assess  # noqa: E402
from kpi.rules.rulebook import load_rulebook  # noqa: E402

SAMPLE = ROOT / "sample_data" / "monthly_2024H1.xlsx"


def make_0001(path: Path) -> None:
    path.unlink(missing_ok=True)
    engine = create(str(path))
    with writing(engine) as conn:
        migrate(conn, "0001")
    rules = load_rulebook()
    text = (ROOT / "kpi" / "rules" / "default.toml").read_text("utf-8")
    result = assess(SAMPLE, rules, month="2024-05", use_detail=False)
    import_assessment(engine, result, rules, text, [file_digest(SAMPLE, "workbook")], "旧版本")
    engine.dispose()
    with sqlite3.connect(path) as conn:  # one self-contained file, no -wal beside it
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")


if __name__ == "__main__":
    make_0001(Path(__file__).with_name("kpi-0001.db"))
