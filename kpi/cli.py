"""The `kpi` command: a thin click layer over the library. Exit codes: 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from kpi.errors import InputError, Problem
from kpi.export import write_statement
from kpi.pipeline import Assessment, assess
from kpi.report import explain, scorecard_dict, scores_table
from kpi.rulebook import Rulebook, load_rulebook

EXIT_INVALID = 1


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"月份应写成 YYYY-MM（如 2024-05），收到「{value}」")
    return value


WORKBOOK = click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
RULES = click.option(
    "--rules",
    "rules_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="规则本 TOML 文件（默认：内置规则本）",
)
MONTH = click.option("--month", callback=_month, help="只看某月，YYYY-MM")


def fail(problems: tuple[Problem, ...] | list[Problem], title: str = "输入有误") -> None:
    click.echo(f"{title}，共 {len(problems)} 处问题：", err=True)
    for number, problem in enumerate(problems, 1):
        click.echo(f"  {number}. {problem}", err=True)
    sys.exit(EXIT_INVALID)


def _rules(path: Path | None) -> Rulebook:
    try:
        return load_rulebook(path)
    except InputError as exc:
        fail(exc.problems, "规则本有误")
        raise  # unreachable: fail exits


def _run(
    workbook: Path,
    rules: Rulebook,
    month: str | None = None,
    vendor: str | None = None,
    expect_month: bool = False,
) -> Assessment:
    if not workbook.exists():
        fail([Problem("找不到文件", file=str(workbook))])
    result = assess(workbook, rules, month=month, vendor=vendor, expect_month=month if expect_month else None)
    if result.problems:
        fail(result.problems)
    if not result.cards:
        wanted = "，".join(
            x for x in (f"月份 {month}" if month else "", f"外包公司「{vendor}」" if vendor else "") if x
        )
        have = "、".join(sorted({f"{r.vendor} {r.month}" for r in result.records}))
        fail([Problem(f"没有符合条件的数据（{wanted}）", file=workbook.name, expected=f"已有：{have}")])
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kpi")
def main() -> None:
    """10086 热线话务外包考核与结算工具。"""


@main.command()
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", help="只看某家外包公司")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def score(workbook: Path, rules_path: Path | None, month: str | None, vendor: str | None, fmt: str) -> None:
    """每家外包公司每月的评分卡。"""
    result = _run(workbook, _rules(rules_path), month, vendor)
    if fmt == "json":
        click.echo(json.dumps([scorecard_dict(c) for c in result.cards], ensure_ascii=False, indent=2))
    else:
        click.echo(scores_table(list(result.cards)))


@main.command(name="explain")
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", required=True, help="外包公司名称")
def explain_cmd(workbook: Path, rules_path: Path | None, month: str | None, vendor: str) -> None:
    """逐条说明某家外包公司的得分和结算，附条款原文。"""
    result = _run(workbook, _rules(rules_path), month, vendor)
    click.echo("\n\n".join(explain(c) for c in result.cards))


@main.command()
@WORKBOOK
@RULES
@MONTH
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="结算单 .xlsx（以 .csv 结尾则写 CSV）",
)
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
def settle(workbook: Path, rules_path: Path | None, month: str | None, output: Path, force: bool) -> None:
    """生成结算单（.xlsx，含合计行和评分卡工作表）。"""
    result = _run(workbook, _rules(rules_path), month)
    try:
        write_statement(list(result.cards), output, force=force)
    except FileExistsError:
        fail([Problem("文件已存在，未覆盖（如需覆盖请加 --force）", file=str(output))], "未写入")
    except OSError as exc:
        fail([Problem(f"无法写入：{exc.strerror or exc}", file=str(output))], "未写入")
    total = sum(c.settlement.payout for c in result.cards)
    click.echo(f"已写入 {output}：{len(result.cards)} 行，应付合计 {total:,.2f} 元")


@main.command()
@WORKBOOK
@RULES
@MONTH
def validate(workbook: Path, rules_path: Path | None, month: str | None) -> None:
    """检查工作簿，列出所有问题；有问题时退出码为 1。给出 --month 时，其他月份的行也算问题。"""
    result = _run(workbook, _rules(rules_path), month, expect_month=True)
    click.echo(f"检查通过：{workbook.name}，{len(result.records)} 行（外包公司 × 月份）。")


if __name__ == "__main__":
    main()
