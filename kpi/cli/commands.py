"""The `kpi` command: a thin click layer over the library. Exit codes: 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from kpi.cli.common import (
    DETAIL,
    MONTH,
    OUTPUT,
    RULES,
    SOURCE,
    WORKBOOK,
    load_rules,
    run_assessment,
    write_output,
)
from kpi.cli.detail_commands import agents, reconcile_cmd
from kpi.cli.readings_command import readings_cmd, run_readings
from kpi.cli.usage import Group, run_process
from kpi.detail.run import DetailRun
from kpi.detail.source import SourceProfile, builtin_profiles
from kpi.reports.readings import readings_used
from kpi.reports.scorecards import explain, next_steps, provenance, scorecard_dict, scores_table
from kpi.reports.statement import write_statement
from kpi.scoring.next_point import next_points
from kpi.scoring.scorecard import Scorecard


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kpi", help="显示版本并退出")
def main() -> None:
    """10086 热线话务外包考核与结算工具。"""


def run() -> None:
    """The `kpi` console command and `python -m kpi.cli`: `main` as a process."""
    run_process(main)


main.add_command(reconcile_cmd)
main.add_command(agents)
main.add_command(readings_cmd)
LAZY = {  # imported when named: the database and PDF libraries are not loaded for `kpi score`
    "statement": "kpi.cli.document_commands:statement",
    "evidence": "kpi.cli.document_commands:evidence",
    "import": "kpi.cli.history_commands:import_cmd",
    "publish": "kpi.cli.history_commands:publish",
    "dispute": "kpi.cli.dispute_commands:dispute_group",
    "finalise": "kpi.cli.history_commands:finalise",
    "correct": "kpi.cli.history_commands:correct",
    "history": "kpi.cli.history_commands:history_cmd",
    "audit": "kpi.cli.history_commands:audit_group",
    "user": "kpi.cli.user_commands:user_group",
}
for name, target in LAZY.items():
    main.add_lazy(name, target)


@main.command()
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", help="只看某家外包公司")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--use-summary", is_flag=True, help="工作簿有话务明细时，仍用月度指标汇总表的数字")
@DETAIL
@SOURCE
def score(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    vendor: str | None,
    fmt: str,
    use_summary: bool,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """每家外包公司每月的评分卡。"""
    result = run_assessment(
        workbook,
        load_rules(rules_path),
        month,
        vendor,
        use_detail=not use_summary,
        detail_files=detail_files,
        source=source,
        call_ids=False,  # a scorecard names no call
    )
    if fmt == "json":  # each card's "sources" says which figures came from the detail
        click.echo(json.dumps([scorecard_dict(c) for c in result.cards], ensure_ascii=False, indent=2))
    else:
        click.echo(scores_table(list(result.cards)))
        click.echo(_source_note(result.detail, use_summary, result.cards))


def _source_note(detail: DetailRun | None, use_summary: bool, cards: Sequence[Scorecard]) -> str:
    """Which figures the scores used, vendor by vendor, said after the table, with the detail's notices."""
    if use_summary:
        return "数据来源：月度指标汇总表（按 --use-summary，未使用话务明细）。"
    if detail is None or detail.measure is None:
        return "数据来源：月度指标汇总表（工作簿中没有话务明细）。"
    lines = provenance(cards, [m.month for m in detail.months])
    lines.append("（加 --use-summary 改用汇总表。）")
    for m in detail.months:
        if m.not_judgeable:
            lines.append(
                f"{m.month} 有 {m.not_judgeable:,} 通接通电话的 {m.window_minutes} 分钟窗口超出明细数据的截止时间，"
                "且未见再次呼入，无法判定，按非重复计。"
            )
    if detail.flagged:
        lines.append(f"明细与汇总表有 {len(detail.flagged)} 处不一致，详见 kpi reconcile。")
    lines += [f"注意：{n}" for n in detail.notices]
    return "\n".join(lines)


@main.command(name="explain")
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", required=True, help="外包公司名称")
@DETAIL
@SOURCE
def explain_cmd(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    vendor: str,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """逐条说明某家外包公司的得分和结算，附条款原文，以及再改善多少能多得 1 分。"""
    rules = load_rules(rules_path)
    result, rows = run_readings(workbook, rules, month, vendor, detail_files, source)
    records = {(r.vendor, r.month): r for r in result.records}
    texts = [
        f"{explain(c)}\n\n"
        f"{readings_used([r for r in rows if (r.vendor, r.month) == (c.vendor, c.month)])}\n\n"
        f"{next_steps(next_points(records[(c.vendor, c.month)], rules))}"
        for c in result.cards
    ]
    click.echo("\n\n".join(texts))


@main.command()
@WORKBOOK
@RULES
@MONTH
@click.option(
    "-o",
    "--output",
    required=True,
    type=OUTPUT,
    help="结算单 .xlsx（以 .csv 结尾则写 CSV）",
)
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@DETAIL
@SOURCE
def settle(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    output: str,
    force: bool,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """生成结算单（.xlsx，含合计行和评分卡工作表）。"""
    result = run_assessment(workbook, load_rules(rules_path), month, detail_files=detail_files, source=source)
    write_output(output, lambda path: write_statement(list(result.cards), path, force=force))
    total = sum(c.settlement.payout for c in result.cards)
    click.echo(f"已写入 {output}：{len(result.cards)} 行，应付合计 {total:,.2f} 元")


@main.command()
@WORKBOOK
@RULES
@MONTH
@DETAIL
@SOURCE
def validate(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """检查工作簿，列出所有问题；有问题时退出码为 1。给出 --month 时，其他月份的行也算问题。"""
    result = run_assessment(
        workbook, load_rules(rules_path), month, expect_month=True, detail_files=detail_files, source=source
    )
    click.echo(f"检查通过：{workbook.name}，{len(result.records)} 行（外包公司 × 月份）。")
    for notice in result.detail.notices if result.detail else ():
        click.echo(f"注意：{notice}")


@main.command(name="sources")
def sources_cmd() -> None:
    """列出内置的话单来源配置（--source 名称）。"""
    for profile in builtin_profiles():
        click.echo(f"{profile.name}\t{profile.label}：{profile.description}")
