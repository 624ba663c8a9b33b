"""`kpi readings`: a month scored under each reading of each contested clause, alone."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kpi.cli.common import (
    DETAIL,
    RULES,
    SOURCE,
    WORKBOOK,
    check_month,
    checked,
    cli_limits,
    load_rules,
    progress_for,
    require_files,
)
from kpi.detail.source import SourceProfile
from kpi.pipeline import Assessment, assess_readings
from kpi.reports.readings import reading_dict, readings_note, readings_table
from kpi.rules.rulebook import Rulebook
from kpi.scoring.readings import ReadingRow, detail_only


def run_readings(
    workbook: Path,
    rules: Rulebook,
    month: str | None,
    vendor: str | None,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None = None,
) -> tuple[Assessment, tuple[ReadingRow, ...]]:
    """The assessment and its reading rows; input problems or no matching data: printed, exit 1."""
    require_files(workbook, *detail_files)
    result, rows = assess_readings(
        workbook,
        rules,
        month,
        vendor,
        progress=progress_for(workbook),
        detail_files=detail_files,
        source=source,
        limits=cli_limits(),
    )
    return checked(result, workbook, month, vendor), rows


@click.command(name="readings")
@WORKBOOK
@RULES
@click.option("--month", required=True, callback=check_month, help="月份，YYYY-MM")
@click.option("--vendor", help="只看某家外包公司")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@DETAIL
@SOURCE
def readings_cmd(
    workbook: Path,
    rules_path: Path | None,
    month: str,
    vendor: str | None,
    fmt: str,
    detail_files: tuple[Path, ...],
    source: SourceProfile | None,
) -> None:
    """有歧义的条款：每种解读单独套用时的总分和结算金额，及与规则本结果的差。"""
    rules = load_rules(rules_path)
    _, rows = run_readings(workbook, rules, month, vendor, detail_files, source)
    if fmt == "json":
        click.echo(json.dumps([reading_dict(r) for r in rows], ensure_ascii=False, indent=2))
        return
    shown = {r.reading for r in rows}
    left_out = [r for r in rules.readings if detail_only(r) and r.label not in shown]
    click.echo(readings_table(rows))
    click.echo(readings_note(month, left_out))
