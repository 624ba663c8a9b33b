"""The `kpi` command: a thin click layer over the library. Exit codes: 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from kpi.detail_report import agent_dict, agents_csv, agents_table
from kpi.detail_run import DetailRun, run_detail
from kpi.errors import InputError, Problem
from kpi.export import atomic_write, write_statement
from kpi.pipeline import Assessment, assess
from kpi.progress import Progress, stderr_progress
from kpi.reconcile import format_table
from kpi.report import explain, next_steps, scorecard_dict, scores_table
from kpi.rulebook import Rulebook, load_rulebook
from kpi.summary import read_summary
from kpi.usage import Group
from kpi.whatif import next_points

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
DETAIL = click.option(
    "--detail",
    "detail_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="另附的话务明细文件（.xlsx/.csv，可多次给出：一个月分在几个文件里）",
)


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


LARGE_FILE = 5_000_000  # bytes: reading and measuring show progress on stderr above this


def _progress(workbook: Path) -> Progress | None:
    return stderr_progress() if workbook.stat().st_size > LARGE_FILE else None


def _exist(*paths: Path) -> None:
    missing = [Problem("找不到文件", file=str(p)) for p in paths if not p.exists()]
    if missing:
        fail(missing)


def _run(
    workbook: Path,
    rules: Rulebook,
    month: str | None = None,
    vendor: str | None = None,
    expect_month: bool = False,
    use_detail: bool = True,
    detail_files: tuple[Path, ...] = (),
) -> Assessment:
    _exist(workbook, *detail_files)
    result = assess(
        workbook,
        rules,
        month=month,
        vendor=vendor,
        expect_month=month if expect_month else None,
        use_detail=use_detail,
        progress=_progress(workbook),
        detail_files=detail_files,
    )
    if result.problems:
        fail(result.problems)
    if not result.cards:
        wanted = "，".join(
            x for x in (f"月份 {month}" if month else "", f"外包公司「{vendor}」" if vendor else "") if x
        )
        have = "、".join(sorted({f"{r.vendor} {r.month}" for r in result.records}))
        fail([Problem(f"没有符合条件的数据（{wanted}）", file=workbook.name, expected=f"已有：{have}")])
    return result


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kpi", help="显示版本并退出")
def main() -> None:
    """10086 热线话务外包考核与结算工具。"""


@main.command()
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", help="只看某家外包公司")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--use-summary", is_flag=True, help="工作簿有话务明细时，仍用月度指标汇总表的数字")
@DETAIL
def score(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    vendor: str | None,
    fmt: str,
    use_summary: bool,
    detail_files: tuple[Path, ...],
) -> None:
    """每家外包公司每月的评分卡。"""
    result = _run(
        workbook, _rules(rules_path), month, vendor, use_detail=not use_summary, detail_files=detail_files
    )
    if fmt == "json":  # each card's "sources" says which figures came from the detail
        click.echo(json.dumps([scorecard_dict(c) for c in result.cards], ensure_ascii=False, indent=2))
    else:
        click.echo(scores_table(list(result.cards)))
        click.echo(_source_note(result.detail, use_summary))


def _source_note(detail: DetailRun | None, use_summary: bool) -> str:
    """Which figures the scores used, said after the table."""
    if use_summary:
        return "数据来源：月度指标汇总表（按 --use-summary，未使用话务明细）。"
    if detail is None or detail.measure is None:
        return "数据来源：月度指标汇总表（工作簿中没有话务明细）。"
    m = detail.measure
    keys = "、".join(dict.fromkeys(r.label for r in detail.reconciliation)) or "无"
    note = (
        f"数据来源：{m.month} 的{keys}取自明细工作表，其余取自月度指标汇总表（加 --use-summary 改用汇总表）。"
    )
    if m.not_judgeable:
        note += f"\n有 {m.not_judgeable:,} 通接通电话的 {m.window_minutes} 分钟窗口超出明细数据的截止时间，且未见再次呼入，无法判定，按非重复计。"
    if detail.flagged:
        note += f"\n明细与汇总表有 {len(detail.flagged)} 处不一致，详见 kpi reconcile。"
    return note


def _detail(
    workbook: Path,
    rules: Rulebook,
    month: str | None,
    with_summary: bool,
    detail_files: tuple[Path, ...] = (),
) -> DetailRun:
    _exist(workbook, *detail_files)
    records = ()
    if with_summary:
        found, problems = read_summary(workbook)
        if problems:
            fail(problems)
        records = tuple(found)
    run = run_detail(workbook, rules, records, month, _progress(workbook), detail_files)
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
    return run


@main.command(name="reconcile")
@WORKBOOK
@RULES
@MONTH
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@DETAIL
def reconcile_cmd(
    workbook: Path, rules_path: Path | None, month: str | None, fmt: str, detail_files: tuple[Path, ...]
) -> None:
    """把明细算出的数字与月度指标汇总表逐项对照，列出差异。"""
    run = _detail(workbook, _rules(rules_path), month, with_summary=True, detail_files=detail_files)
    rows = run.reconciliation
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    click.echo(format_table(rows))
    flagged = len(run.flagged)
    click.echo(f"共 {flagged} 处不一致（⚠）。" if flagged else "明细与汇总表一致。")
    if run.measure.not_judgeable:
        click.echo(
            f"另有 {run.measure.not_judgeable:,} 通接通电话的窗口超出数据截止时间且未见再次呼入，无法判定。"
        )


@main.command()
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", help="只看某家外包公司")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件（默认输出到屏幕）"
)
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@DETAIL
def agents(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    vendor: str | None,
    fmt: str,
    output: Path | None,
    force: bool,
    detail_files: tuple[Path, ...],
) -> None:
    """按坐席列出接通量、2小时重复呼叫数、重复拨打率和得分（来自话务明细）。"""
    run = _detail(workbook, _rules(rules_path), month, with_summary=False, detail_files=detail_files)
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
    if output is None:
        click.echo(text, nl=False)
        return
    data = text.encode("utf-8-sig" if fmt == "csv" else "utf-8")
    try:
        atomic_write(output, lambda handle: handle.write(data), force=force)
    except FileExistsError:
        fail([Problem("文件已存在，未覆盖（如需覆盖请加 --force）", file=str(output))], "未写入")
    except OSError as exc:
        fail([Problem(f"无法写入：{exc.strerror or exc}", file=str(output))], "未写入")
    click.echo(f"已写入 {output}：{len(chosen)} 名坐席", err=True)


@main.command(name="explain")
@WORKBOOK
@RULES
@MONTH
@click.option("--vendor", required=True, help="外包公司名称")
@DETAIL
def explain_cmd(
    workbook: Path, rules_path: Path | None, month: str | None, vendor: str, detail_files: tuple[Path, ...]
) -> None:
    """逐条说明某家外包公司的得分和结算，附条款原文，以及再改善多少能多得 1 分。"""
    rules = _rules(rules_path)
    result = _run(workbook, rules, month, vendor, detail_files=detail_files)
    records = {(r.vendor, r.month): r for r in result.records}
    texts = [
        f"{explain(c)}\n\n{next_steps(next_points(records[(c.vendor, c.month)], rules))}"
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="结算单 .xlsx（以 .csv 结尾则写 CSV）",
)
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@DETAIL
def settle(
    workbook: Path,
    rules_path: Path | None,
    month: str | None,
    output: Path,
    force: bool,
    detail_files: tuple[Path, ...],
) -> None:
    """生成结算单（.xlsx，含合计行和评分卡工作表）。"""
    result = _run(workbook, _rules(rules_path), month, detail_files=detail_files)
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
@DETAIL
def validate(
    workbook: Path, rules_path: Path | None, month: str | None, detail_files: tuple[Path, ...]
) -> None:
    """检查工作簿，列出所有问题；有问题时退出码为 1。给出 --month 时，其他月份的行也算问题。"""
    result = _run(workbook, _rules(rules_path), month, expect_month=True, detail_files=detail_files)
    click.echo(f"检查通过：{workbook.name}，{len(result.records)} 行（外包公司 × 月份）。")


if __name__ == "__main__":
    main()
