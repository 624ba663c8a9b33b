"""The monthly cycle's commands over the history database: `kpi import`, `publish`, `finalise`,
`history`, `audit verify` (disputes are in `dispute_commands`). `--db` (or KPI_DB) names the
database, `--user` (or the OS user) who acts."""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kpi.cli.common import (
    DETAIL,
    MONTH,
    RULES,
    SOURCE,
    WORKBOOK,
    check_month,
    fail,
    load_rules,
    run_assessment,
)
from kpi.cli.usage import Group
from kpi.detail.source import SourceProfile
from kpi.errors import Problem
from kpi.history import audit, corrections, cycle
from kpi.history.snapshot import file_digest, profile_digest
from kpi.history.store import (
    DEFAULT_DB,
    HistoryError,
    database_problem,
    database_url,
    describe,
    open_store,
    reading,
)
from kpi.history.versions import months, version_lines
from kpi.reports.scorecards import table
from kpi.rules.rulebook import DEFAULT_RULEBOOK

DB = click.option(
    "--db",
    envvar="KPI_DB",
    default=DEFAULT_DB,
    show_default=True,
    help="历史数据库：SQLite 文件路径，或 postgresql+psycopg://用户@主机/库名（也可用环境变量 KPI_DB）",
)
USER = click.option("--user", help="操作人（默认：当前操作系统用户）")
MONTH_REQUIRED = click.option("--month", required=True, callback=check_month, help="月份，YYYY-MM")


def who(user: str | None) -> str:
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def history_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """A refused step or a database problem: its Chinese message and exit 1, never a traceback."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HistoryError as exc:
            fail([Problem(str(exc))], "未完成")
        except sa.exc.DBAPIError as exc:  # the database failed mid-command (damaged pages, server gone)
            name = describe(database_url(kwargs.get("db") or DEFAULT_DB))
            fail([Problem(database_problem(name, exc.orig or exc))], "未完成")

    return run


def store(db: str) -> Engine:
    """The history database, closed when the command ends."""
    engine = open_store(db)
    click.get_current_context().call_on_close(engine.dispose)
    return engine


def rulebook_text(path: Path | None) -> str:
    if path is None:
        return resources.files("kpi.rules").joinpath(DEFAULT_RULEBOOK).read_text("utf-8")
    return path.read_text("utf-8")


@click.command(name="import")
@WORKBOOK
@RULES
@MONTH
@DETAIL
@SOURCE
@DB
@USER
@history_command
def import_cmd(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
    db: str,
    user: str | None,
) -> None:
    """把工作簿各月（或 --month 指定的月份）的评分存入历史数据库，每月新建一个草稿版本。"""
    rules = load_rules(rules_path)
    result = run_assessment(workbook, rules, month, detail_files=detail_files, source=source)
    files = [file_digest(workbook, "workbook"), *(file_digest(p, "detail") for p in detail_files)]
    if source is not None:
        files.append(profile_digest(source))
    if rules_path is not None:
        files.append(file_digest(rules_path, "rules"))
    engine = store(db)
    done = cycle.import_assessment(engine, result, rules, rulebook_text(rules_path), files, who(user))
    for v in done:
        click.echo(
            f"已导入 {v.month} 第 {v.number} 版（{v.state_label}）：{v.vendors} 家外包公司，"
            f"应付合计 {v.payout_total:,.2f} 元"
        )


@click.command()
@MONTH_REQUIRED
@DB
@USER
@history_command
def publish(month: str, db: str, user: str | None) -> None:
    """发布某月最新的草稿版本；发布后外包公司可在争议期内提出争议。"""
    v = cycle.publish(store(db), month, who(user))
    click.echo(
        f"已发布 {v.month} 第 {v.number} 版：{v.vendors} 家外包公司，应付合计 {v.payout_total:,.2f} 元；"
        f"争议截止日 {v.deadline}"
    )


@click.command()
@MONTH_REQUIRED
@DB
@USER
@history_command
def finalise(month: str, db: str, user: str | None) -> None:
    """定稿某月已发布的版本（须先处理完全部争议）；定稿后不再改动。"""
    v = cycle.finalise(store(db), month, who(user))
    click.echo(
        f"已定稿 {v.month} 第 {v.number} 版：{v.vendors} 家外包公司，应付合计 {v.payout_total:,.2f} 元；"
        f"结算指纹 {v.fingerprint}"
    )


@click.command()
@MONTH_REQUIRED
@click.option("--vendor", required=True, help="外包公司名称")
@click.option(
    "--metric", required=True, help="更正的输入项：键或表头，如 service_complaints 或 成立服务投诉数"
)
@click.option("--value", required=True, help="更正后的值")
@click.option("--reason", required=True, help="更正理由")
@click.option("--approver", required=True, help="批准人（须为操作人以外的另一人）")
@DB
@USER
@history_command
def correct(
    month: str, vendor: str, metric: str, value: str, reason: str, approver: str, db: str, user: str | None
) -> None:
    """更正已定稿的月份：生成标为「更正」的新定稿版本，原定稿版本原样保留。"""
    c = corrections.correct(store(db), month, vendor, metric, value, reason, who(user), approver)
    click.echo(
        f"已更正 {c.month} {c.vendor} {c.label} {c.before['value']} → {c.after['value']}："
        f"总分 {c.before['total_score']} → {c.after['total_score']}，应付 {c.before['payout']} → {c.after['payout']} 元；"
        f"生成第 {c.number} 版（更正，已定稿），原第 {c.replaces} 版保留"
    )


@click.command(name="history")
@click.option(
    "--month", callback=check_month, help="列出该月的每个版本（状态、来由、操作人、应付合计、结算指纹）"
)
@DB
@history_command
def history_cmd(month: str | None, db: str) -> None:
    """列出历史数据库中的各月：状态、版本、争议截止日、应付合计；给出 --month 时列出该月的每个版本。"""
    if month is not None:
        with reading(store(db)) as conn:
            lines = version_lines(conn, month)
        if not lines:
            fail([Problem(f"{month} 还没有导入过")], "未完成")
        headers = ["版本", "状态", "时间", "操作人", "应付合计(元)", "结算指纹", "说明"]
        cells = [
            [f"第 {x.number} 版", x.label, x.created_at, x.created_by, f"{x.payout_total:,.2f}", x.fingerprint[:16],
             x.note or "—"]
            for x in lines
        ]  # fmt: skip
        click.echo(table(headers, cells, right={4}))
        return
    with reading(store(db)) as conn:
        rows = months(conn)
    if not rows:
        click.echo("历史数据库中还没有任何月份（用 kpi import 导入）。")
        return
    headers = ["月份", "状态", "版本", "版本数", "争议截止日", "应付合计(元)"]
    cells = [
        [
            m.month,
            m.state_label,
            m.version_label,
            str(m.versions),
            m.deadline or "—",
            f"{Decimal(m.payout_total):,.2f}",
        ]
        for m in rows
    ]
    click.echo(table(headers, cells, right={3, 5}))


@click.group(name="audit", cls=Group)
def audit_group() -> None:
    """审计记录。"""


@audit_group.command(name="list")
@click.option("--month", callback=check_month, help="只看某月，YYYY-MM")
@DB
@history_command
def audit_list(month: str | None, db: str) -> None:
    """列出审计记录：序号、时间、操作人、所做的事（前后的值见数据库的 before / after）。"""
    with reading(store(db)) as conn:
        rows = audit.rows(conn, month)
    if not rows:
        click.echo("没有审计记录。")
        return
    cells = [[str(r.id), r.at, r.who, r.month or "—", r.subject] for r in rows]
    click.echo(table(["序号", "时间", "操作人", "月份", "内容"], cells, right={0}))


@audit_group.command(name="verify")
@DB
@history_command
def audit_verify(db: str) -> None:
    """逐行核对审计记录的哈希链，报告第一处被改动或删除的行；有问题时退出码为 1。"""
    with reading(store(db)) as conn:
        check = audit.verify(conn)
    if not check.ok:
        fail([Problem(check.message)], "审计记录不完整")
    click.echo(check.message)
