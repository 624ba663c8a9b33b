"""`kpi dispute add | list | resolve | evidence`: disputes on a published month."""

from __future__ import annotations

from pathlib import Path

import click

from kpi.cli.common import check_month, fail, write_output
from kpi.cli.history_commands import DB, MONTH_REQUIRED, USER, history_command, store, who
from kpi.cli.usage import Group
from kpi.errors import Problem
from kpi.history.disputes import (
    Dispute,
    add_dispute,
    download_evidence,
    list_disputes,
    read_evidence,
    resolve_dispute,
)
from kpi.history.snapshot import decode
from kpi.history.store import reading
from kpi.reports.files import atomic_write
from kpi.reports.scorecards import show, table


@click.group(name="dispute", cls=Group)
def dispute_group() -> None:
    """争议：登记、列出、处理，下载证据文件。"""


def _value(d: Dispute, text: str | None) -> str:
    return "—" if text is None else show(decode(d.metric, text))


@dispute_group.command(name="add")
@MONTH_REQUIRED
@click.option("--vendor", required=True, help="外包公司名称")
@click.option("--metric", required=True, help="争议的输入项：键或表头，如 repeat_2h_calls 或 2小时重复呼叫数")
@click.option("--claim", required=True, help="外包公司主张的值")
@click.option("--reason", required=True, help="争议理由")
@click.option(
    "--evidence", type=click.Path(dir_okay=False, path_type=Path), help="证据文件（原样保存，附 SHA-256）"
)
@DB
@USER
@history_command
def add(
    month: str,
    vendor: str,
    metric: str,
    claim: str,
    reason: str,
    evidence: Path | None,
    db: str,
    user: str | None,
) -> None:
    """对已发布月份的某项输入提出争议（须在争议截止日之前）。"""
    proof = read_evidence(evidence) if evidence is not None else None
    d = add_dispute(store(db), month, vendor, metric, claim, reason, who(user), proof)
    proof = f"；证据「{d.evidence_name}」SHA-256 {d.evidence_sha256}" if d.evidence_name else ""
    click.echo(
        f"已登记争议 #{d.id}：{d.month} {d.vendor} {d.label} 原值 {_value(d, d.original)}，"
        f"主张 {_value(d, d.claim)}{proof}"
    )


@dispute_group.command(name="list")
@click.option("--month", callback=check_month, help="只看某月，YYYY-MM")
@click.option("--vendor", help="只看某家外包公司")
@DB
@history_command
def list_cmd(month: str | None, vendor: str | None, db: str) -> None:
    """列出争议及其处理结果。"""
    with reading(store(db)) as conn:
        rows = list_disputes(conn, month, vendor)
    if not rows:
        click.echo("没有争议。")
        return
    headers = [
        "编号",
        "月份",
        "外包公司",
        "输入项",
        "原值",
        "主张",
        "状态",
        "理由",
        "证据",
        "处理",
        "结果版本",
    ]
    cells = [
        [
            f"#{d.id}",
            d.month,
            d.vendor,
            d.label,
            _value(d, d.original),
            _value(d, d.claim),
            d.state_label,
            d.reason,
            d.evidence_name or "—",
            "—"
            if d.decided_by is None
            else f"{d.decided_by}：{d.decision_reason}"
            + (f"（采用 {_value(d, d.decided_value)}）" if d.decided_value else ""),
            "—" if d.result_version is None else f"第 {d.result_version} 版",
        ]
        for d in rows
    ]
    click.echo(table(headers, cells, right={4, 5}))


@dispute_group.command(name="resolve")
@click.argument("number", type=int)
@click.option("--accept", is_flag=True, help="接受：该输入改为主张的值（或 --value），生成新版本并重新计分")
@click.option("--reject", is_flag=True, help="驳回：保留理由")
@click.option("--reason", required=True, help="处理理由")
@click.option("--value", help="接受时采用的值（默认：外包公司主张的值）")
@DB
@USER
@history_command
def resolve(
    number: int, accept: bool, reject: bool, reason: str, value: str | None, db: str, user: str | None
) -> None:
    """处理争议 N：--accept 或 --reject。"""
    if accept == reject:
        raise click.UsageError("请给出 --accept 或 --reject 其中之一")
    d = resolve_dispute(store(db), number, accept, reason, who(user), value)
    if d.state == "accepted":
        click.echo(
            f"已接受争议 #{d.id}：{d.vendor} {d.label} {_value(d, d.original)} → {_value(d, d.decided_value)}，"
            f"重新计分后为 {d.month} 第 {d.result_version} 版（已发布）"
        )
    else:
        click.echo(f"已驳回争议 #{d.id}：{d.vendor} {d.label}，理由：{d.decision_reason}")


@dispute_group.command(name="evidence")
@click.argument("number", type=int)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="保存到的文件"
)
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@DB
@USER
@history_command
def evidence_cmd(number: int, output: Path, force: bool, db: str, user: str | None) -> None:
    """下载争议 N 的证据文件（与登记时的 SHA-256 核对）。"""
    if output.exists() and not force:
        fail([Problem("文件已存在，未覆盖（如需覆盖请加 --force）", file=str(output))], "未写入")
    name, content, digest = download_evidence(store(db), number, who(user))
    write_output(output, lambda path: atomic_write(path, lambda handle: handle.write(content), force=force))
    click.echo(f"已写入 {output}：争议 #{number} 的证据「{name}」，{len(content):,} 字节，SHA-256 {digest}")
