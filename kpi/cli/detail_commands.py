"""The commands over the call detail alone: `kpi reconcile` (detail beside the summary) and
`kpi agents` (the per-agent table)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kpi.cli.common import (
    DETAIL,
    MONTH,
    OUTPUT,
    RULES,
    SOURCE,
    WORKBOOK,
    cli_limits,
    fail,
    load_rules,
    progress_for,
    require_files,
    tell,
    write_output,
)
from kpi.detail.run import DetailRun, run_detail
from kpi.detail.source import SourceProfile
from kpi.errors import Problem
from kpi.reports.agents import agent_dict, agents_csv, agents_table
from kpi.reports.files import atomic_write
from kpi.reports.reconciliation import format_table
from kpi.rules.rulebook import Rulebook
from kpi.summary.reader import read_summary, summary_notices


def _detail(
    workbook: Path,
    rules: Rulebook,
    month: str | None,
    with_summary: bool,
    detail_files: tuple[Path, ...] = (),
    source: SourceProfile | None = None,
) -> DetailRun:
    """The detail's run for a command whose output names no call (its 呼叫流水号 are not read)."""
    require_files(workbook, *detail_files)
    records = ()
    if with_summary:
        found, problems = read_summary(workbook)
        if problems:
            fail(problems)
        tell(summary_notices(found))
        records = tuple(found)
    run = run_detail(
        workbook,
        rules,
        records,
        month,
        progress_for(workbook),
        detail_files,
        source,
        every_month=with_summary,
        limits=cli_limits(),
        call_ids=False,
    )
    if run is None:
        fail(
            [
                Problem(
                    "工作簿中没有明细工作表",
                    file=workbook.name,
                    expected="「话务明细」「坐席名册」或「考试成绩」工作表",
                )
            ]
        )
    if run.problems:
        fail(run.problems)
    if month is not None and run.measure.month != month:  # the detail is of another month
        fail(
            [
                Problem(
                    f"明细中没有 {month} 的数据",
                    file="、".join(run.data.sources),
                    sheet="话务明细",
                    expected=f"明细所在的月份 {run.measure.month}（或换用该月的明细文件）",
                )
            ]
        )
    return run


@click.command(name="reconcile")
@WORKBOOK
@RULES
@MONTH
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@DETAIL
@SOURCE
def reconcile_cmd(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    fmt: str,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """把明细算出的数字与月度指标汇总表逐项对照，列出差异。"""
    run = _detail(workbook, load_rules(rules_path), month, True, detail_files, source)
    rows = run.reconciliation
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    click.echo(format_table(rows))
    flagged = len(run.flagged)
    click.echo(f"共 {flagged} 处不一致（⚠）。" if flagged else "明细与汇总表一致。")
    not_judgeable = sum(m.not_judgeable for m in run.months)
    if not_judgeable:
        click.echo(f"另有 {not_judgeable:,} 通接通电话的窗口超出数据截止时间且未见再次呼入，无法判定。")
    for notice in run.notices:
        click.echo(f"注意：{notice}")


@click.command()
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", help="只看某家外包公司")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option("-o", "--output", type=OUTPUT, help="写入文件（默认输出到屏幕）")
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@DETAIL
@SOURCE
def agents(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    vendor: str | None,
    fmt: str,
    output: str | None,
    force: bool,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """按坐席列出接通量、2小时重复呼叫数、重复拨打率和得分（来自话务明细）。"""
    run = _detail(workbook, load_rules(rules_path), month, False, detail_files, source)
    chosen = [a for a in run.measure.agents if vendor is None or a.vendor == vendor]
    if vendor is not None and not chosen:
        have = "、".join(sorted({a.vendor for a in run.measure.agents}))
        fail([Problem(f"明细中没有外包公司「{vendor}」的坐席", file=workbook.name, expected=f"已有：{have}")])
    if fmt == "json":
        text = json.dumps([agent_dict(a) for a in chosen], ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = agents_csv(chosen)
    else:
        text = agents_table(chosen) + "\n"
    if fmt == "table":  # json and csv stay machine-readable
        text += "".join(f"注意：{notice}\n" for notice in run.notices)
    if output is None:
        click.echo(text, nl=False)
        return
    data = text.encode("utf-8-sig" if fmt == "csv" else "utf-8")
    write_output(output, lambda path: atomic_write(path, lambda handle: handle.write(data), force=force))
    click.echo(f"已写入 {output}：{len(chosen)} 名坐席", err=True)
