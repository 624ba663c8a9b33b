"""The documents one hands on: `kpi statement` (the settlement statement finance signs, PDF or
.xlsx, from a workbook or, without one, from the history database) and `kpi evidence` (the 2-hour repeat pairs behind a vendor's or agent's count, .xlsx)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from kpi.cli.common import (
    DETAIL,
    MONTH,
    RULES,
    SOURCE,
    WORKBOOK,
    check_month,
    cli_limits,
    fail,
    load_rules,
    progress_for,
    require_files,
    run_assessment,
    write_output,
)
from kpi.cli.history_commands import DB, USER, history_command, store, who
from kpi.cli.usage import Command
from kpi.detail.evidence import repeat_pairs
from kpi.detail.run import run_detail
from kpi.detail.source import SourceProfile
from kpi.errors import Problem
from kpi.history.statements import export_statement
from kpi.reports.evidence import evidence_xlsx, write_evidence
from kpi.reports.fingerprint import file_fingerprint
from kpi.reports.statement_doc import build_statement
from kpi.reports.statement_pdf import write_statement_pdf
from kpi.reports.statement_records import Statement
from kpi.reports.statement_xlsx import write_statement_xlsx
from kpi.rules.rulebook import rulebook_text
from kpi.summary.reader import read_summary

FORCE = click.option("--force", is_flag=True, help="覆盖已存在的文件")


def _suffix(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    """The suffix checked on the value as typed (Path("新目录/") would drop the slash: the message
    names a folder given where a file is expected as such)."""
    allowed = {"statement": (".pdf", ".xlsx"), "evidence": (".xlsx",)}[ctx.info_name or "statement"]
    path = Path(value)
    if value.endswith(("/", os.sep)):
        raise click.BadParameter(f"「{value}」是文件夹，应为文件名（以 {' 或 '.join(allowed)} 结尾）")
    if path.suffix.lower() not in allowed:
        raise click.BadParameter(f"文件名应以 {' 或 '.join(allowed)} 结尾，收到「{path.name}」")
    return path


def _output(help_text: str):  # noqa: ANN202 - a click decorator
    """The required -o option of a document command, its suffix checked for the command."""
    return click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, path_type=str),
        callback=_suffix,
        help=help_text,
    )


@click.command(cls=Command)
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@RULES
@click.option("--month", required=True, callback=check_month, help="结算月份，YYYY-MM")
@click.option("--vendor", help="只出某家外包公司的结算单（默认：全部外包公司）")
@_output("结算单文件：.pdf 或 .xlsx")
@FORCE
@DETAIL
@SOURCE
@click.option(
    "--version",
    "number",
    type=click.IntRange(min=1),
    help="不给工作簿时：出该月的第几版（默认：定稿版，未定稿时为已发布或最新的版本）",
)
@DB
@USER
def statement(
    workbook: Path | None,
    rules_path: Path | None,
    month: str,
    vendor: str | None,
    output: Path,
    force: bool,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
    number: int | None,
    db: str,
    user: str | None,
) -> None:
    """生成供财务签字的结算单（PDF 或 .xlsx）：得分、扣分、每一行金额、大写金额、签字栏和指纹。
    不给工作簿时从历史数据库（--db）读出该月的结算单：已定稿的月份即定稿时的结算单。"""
    writer = write_statement_pdf if output.suffix.lower() == ".pdf" else write_statement_xlsx
    if workbook is None:
        _stored_statement(
            month=month, vendor=vendor, output=output, force=force, rules_path=rules_path,
            detail_files=detail_files, source=source, number=number, db=db, user=user, writer=writer,
        )  # fmt: skip
        return
    if number is not None:
        fail([Problem("--version 只用于从历史数据库出结算单（不给工作簿时）")], "未写入")
    rules = load_rules(rules_path)
    result = run_assessment(workbook, rules, month, vendor, detail_files=detail_files, source=source)
    fp = file_fingerprint(workbook, detail_files, rules.source, rulebook_text(rules_path), source)
    doc = build_statement(result.cards, rules, fp, date.today())
    write_output(output, lambda path: writer(doc, path, force=force))  # a missing font: exit 1
    click.echo(
        f"已写入 {output}：{doc.scope} {month}，应付 {doc.total_payout:,.2f} 元（{doc.total_capitals}），"
        f"指纹 {fp.sha256}"
    )


@history_command
def _stored_statement(
    month: str,
    vendor: str | None,
    output: Path,
    force: bool,
    rules_path: Path | None,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
    number: int | None,
    db: str,
    user: str | None,
    writer: Callable[..., object],
) -> None:
    """The month's statement from the history database; the export is an audit row."""
    if rules_path is not None or detail_files or source is not None:
        fail(
            [Problem("从历史数据库出结算单时用存档的规则本和数据，不接受 --rules / --detail / --source")],
            "未写入",
        )

    def write(doc: Statement) -> str:
        write_output(output, lambda path: writer(doc, path, force=force))
        return output.name

    got = export_statement(store(db), month, vendor, number, who(user), write)
    doc = got.statement
    click.echo(
        f"已写入 {output}：{doc.scope} {month} {got.version_label}，应付 {doc.total_payout:,.2f} 元"
        f"（{doc.total_capitals}），指纹 {doc.fingerprint.sha256}"
    )


@click.command(cls=Command)
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", required=True, help="外包公司名称")
@click.option("--agent", help="只看某位坐席（工号）")
@_output("证据表 .xlsx")
@FORCE
@DETAIL
@SOURCE
def evidence(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    vendor: str,
    agent: str | None,
    output: Path,
    force: bool,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """列出 2 小时重复呼叫的每一对呼叫（主叫号码隐去中间几位），写成 .xlsx，供核对和答复争议。"""
    rules = load_rules(rules_path)
    require_files(workbook, *detail_files)
    records, problems = read_summary(workbook)
    if problems:
        fail(problems)
    run = run_detail(
        workbook,
        rules,
        tuple(records),
        month,
        progress_for(workbook),
        detail_files,
        source,
        limits=cli_limits(),
    )
    if run is None or run.data.calls is None:
        fail(
            [
                Problem(
                    "工作簿中没有话务明细",
                    file=workbook.name,
                    expected="「话务明细」工作表或 --detail 明细文件",
                )
            ]
        )
    if run.problems:
        fail(run.problems)
    calls, measured = run.data.calls, run.measure
    if month is not None and measured.month != month:
        fail(
            [
                Problem(
                    f"话务明细中没有 {month} 的呼叫",
                    file=workbook.name,
                    sheet="话务明细",
                    expected=f"明细所在的月份 {measured.month}，或该月的明细文件（--detail）",
                )
            ]
        )
    mine = [a for a in measured.agents if a.vendor == vendor and (agent is None or a.agent_id == agent)]
    if not mine:
        who = f"外包公司「{vendor}」" + (f"的坐席「{agent}」" if agent else "")
        have = "、".join(sorted({a.vendor for a in measured.agents}))
        fail(
            [
                Problem(
                    f"明细中 {measured.month} 没有{who}的接通电话",
                    file=workbook.name,
                    expected=f"已有：{have}",
                )
            ]
        )
    pairs = repeat_pairs(calls, measured.month, vendor, agent, rules.detail)
    data = evidence_xlsx(
        pairs, vendor, agent, measured.month, rules.detail.repeat_window_minutes, rules.detail.repeat_anchor
    )
    write_output(output, lambda path: write_evidence(path, data, force=force))
    click.echo(
        f"已写入 {output}：{len(pairs):,} 通重复呼叫（{vendor}{' ' + agent if agent else ''}，{measured.month}）"
    )
