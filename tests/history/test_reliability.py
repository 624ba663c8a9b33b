"""Real processes against a real database file or server: an import killed with SIGKILL in the middle
of its transaction leaves the database exactly as before; imports of the same month running at the
same time yield whole versions one after the other, never a mixed one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from kpi.history.store import open_store, reading
from kpi.history.tables import vendor_months, versions
from tests.history_db import audit_rows, small_workbook, table_rows
from tests.paths import ROOT

# `kpi` in a child process whose audit append (the last write of an import's transaction) stops for
# PAUSE seconds after writing, saying so on stdout: the transaction is then open with all its rows.
PAUSED_KPI = """
import os, sys, time
import kpi.history.audit as audit
real = audit.append
def paused(conn, *args, **kwargs):
    number = real(conn, *args, **kwargs)
    print("inside the transaction", flush=True)
    time.sleep(float(os.environ["PAUSE"]))
    return number
audit.append = paused
from kpi.cli.commands import main
main(sys.argv[1:], prog_name="kpi")
"""


def kpi(*args: str, pause: float | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if pause is None:
        command = [sys.executable, "-m", "kpi.cli", *args]
    else:
        command = [sys.executable, "-c", PAUSED_KPI, *args]
        env["PAUSE"] = str(pause)
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def vendors_by_version(db: str, month: str) -> dict[int, dict[str, str]]:
    """Each version of the month: vendor → its record's service_complaints."""
    engine = open_store(db)
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(versions.c.number, vendor_months.c.vendor, vendor_months.c.record)
            .join(vendor_months, vendor_months.c.version_id == versions.c.id)
            .where(versions.c.month == month)
        ).all()
    engine.dispose()
    out: dict[int, dict[str, str]] = {}
    for number, vendor, record in rows:
        out.setdefault(number, {})[vendor] = json.loads(record)["inputs"]["service_complaints"]
    return out


def test_sigkill_in_the_middle_of_an_import_leaves_the_database_as_before(db_url: str, tmp_path: Path):
    book = small_workbook(tmp_path / "book.xlsx")
    first = kpi("import", str(book), "--month", "2024-03", "--db", db_url)
    assert first.wait(120) == 0, first.stderr.read()
    before = table_rows(db_url)

    child = kpi("import", str(book), "--db", db_url, pause=120)  # three months in one transaction
    assert child.stdout.readline() == "inside the transaction\n"
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(60) == -signal.SIGKILL

    assert table_rows(db_url) == before
    again = kpi("import", str(book), "--db", db_url)  # the lock is free again, numbering goes on
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.splitlines()[0] == "已导入 2024-03 第 2 版（草稿）：2 家外包公司，应付合计 8,918.10 元"
    assert [r.id for r in audit_rows(db_url)] == [1, 2, 3, 4]


def test_two_imports_of_a_month_at_once_make_two_whole_versions(db_url: str, tmp_path: Path):
    first_book = small_workbook(tmp_path / "a.xlsx", vendors=("甲公司", "乙公司"), service_complaints=4)
    second_book = small_workbook(
        tmp_path / "b.xlsx", vendors=("甲公司", "丙公司", "丁公司"), service_complaints=7
    )
    holder = kpi("import", str(first_book), "--month", "2024-05", "--db", db_url, pause=3)
    assert holder.stdout.readline() == "inside the transaction\n"  # holding the writer lock, half written
    other = kpi("import", str(second_book), "--month", "2024-05", "--db", db_url)
    for process in (holder, other):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert vendors_by_version(db_url, "2024-05") == {
        1: {"甲公司": "4", "乙公司": "4"},
        2: {"甲公司": "7", "丙公司": "7", "丁公司": "7"},
    }

    together = [
        kpi("import", str(book), "--month", "2024-05", "--db", db_url) for book in (first_book, second_book)
    ]
    for process in together:  # both started at once: whichever wins the lock first gets the next number
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    found = vendors_by_version(db_url, "2024-05")
    assert sorted(found) == [1, 2, 3, 4]
    whole = [{"甲公司": "4", "乙公司": "4"}, {"甲公司": "7", "丙公司": "7", "丁公司": "7"}]
    assert all(found[n] in whole for n in found)
    assert sorted(whole.index(found[n]) for n in (3, 4)) == [0, 1]
    assert [r.id for r in audit_rows(db_url)] == [1, 2, 3, 4]
    assert [r.subject for r in audit_rows(db_url)] == [f"导入 2024-05 第 {n} 版（草稿）" for n in range(1, 5)]
