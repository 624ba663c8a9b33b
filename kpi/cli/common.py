"""What every `kpi` command shares: the workbook/--rules/--month/--detail options, printing located
problems and exiting 1, loading the rulebook, and running the pipeline."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click

from kpi.detail.source import SourceError, SourceProfile, builtin_names, load_source
from kpi.errors import InputError, Problem
from kpi.files.safety import DEFAULT_LIMITS, Limits
from kpi.pipeline import Assessment, assess
from kpi.progress import Progress, stderr_progress
from kpi.rules.rulebook import Rulebook, load_rulebook

EXIT_INVALID = 1


def check_month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
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


MONTH = click.option("--month", callback=check_month, help="只看某月，YYYY-MM")


_DETAIL = click.option(
    "--detail",
    "detail_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="另附的话务明细文件（.xlsx/.csv，可多次给出：一个月分在几个文件里）",
)


def _keep_max_rows(ctx: click.Context, param: click.Parameter, value: int | None) -> None:
    if value is not None:
        ctx.meta["kpi.limits"] = replace(DEFAULT_LIMITS, max_rows=value)


_MAX_ROWS = click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    callback=_keep_max_rows,
    expose_value=False,
    help=f"每个明细文件最多读入的行数（默认 {DEFAULT_LIMITS.max_rows:,}）",
)


def DETAIL(command: Callable) -> Callable:  # noqa: N802 - used as the other option decorators
    """--detail, and --max-rows beside it (every command that reads detail takes both)."""
    return _DETAIL(_MAX_ROWS(command))


def cli_limits() -> Limits:
    """The limits of what a detail file may hold, as the command line set them (--max-rows)."""
    context = click.get_current_context(silent=True)
    return context.meta.get("kpi.limits", DEFAULT_LIMITS) if context is not None else DEFAULT_LIMITS


def _load_source(ctx: click.Context, param: click.Parameter, value: str | None) -> SourceProfile | None:
    if value is None:
        return None
    try:
        return load_source(value)
    except SourceError as exc:
        fail(exc.problems, "来源配置有误")
        raise  # unreachable: fail exits


SOURCE = click.option(
    "--source",
    callback=_load_source,
    help=f"话单来源配置：TOML 文件，或内置来源（{'、'.join(builtin_names())}；kpi sources 列出）",
)


def fail(problems: tuple[Problem, ...] | list[Problem], title: str = "输入有误") -> None:
    click.echo(f"{title}，共 {len(problems)} 处问题：", err=True)
    for number, problem in enumerate(problems, 1):
        click.echo(f"  {number}. {problem}", err=True)
    sys.exit(EXIT_INVALID)


def tell(notices: tuple[str, ...] | list[str]) -> None:
    """What the user must know though nothing is wrong (a total row skipped, a hidden sheet read), on
    stderr so that JSON and CSV output stay clean."""
    for notice in notices:
        click.echo(f"注意：{notice}", err=True)


def load_rules(path: Path | None) -> Rulebook:
    try:
        return load_rulebook(path)
    except InputError as exc:
        fail(exc.problems, "规则本有误")
        raise  # unreachable: fail exits


LARGE_FILE = 5_000_000  # bytes: reading and measuring show progress on stderr above this


def progress_for(workbook: Path) -> Progress | None:
    return stderr_progress() if workbook.stat().st_size > LARGE_FILE else None


def require_files(*paths: Path) -> None:
    missing = [Problem("找不到文件", file=str(p)) for p in paths if not p.exists()]
    if missing:
        fail(missing)


def run_assessment(
    workbook: Path,
    rules: Rulebook,
    month: str | None = None,
    vendor: str | None = None,
    expect_month: bool = False,
    use_detail: bool = True,
    detail_files: tuple[Path, ...] = (),
    source: SourceProfile | None = None,
    call_ids: bool = True,
) -> Assessment:
    """`assess` for a command; `call_ids`: whether its output can show a call's 呼叫流水号."""
    require_files(workbook, *detail_files)
    result = assess(
        workbook,
        rules,
        month=month,
        vendor=vendor,
        expect_month=month if expect_month else None,
        use_detail=use_detail,
        progress=progress_for(workbook),
        detail_files=detail_files,
        source=source,
        limits=cli_limits(),
        call_ids=call_ids,
    )
    return checked(result, workbook, month, vendor)


def checked(result: Assessment, workbook: Path, month: str | None, vendor: str | None) -> Assessment:
    """The assessment, once its problems (exit 1) and notices (stderr) are told; no scorecard for the
    chosen month and vendor is a problem too."""
    if result.problems:
        fail(result.problems)
    tell(result.notices)
    if not result.cards:
        wanted = "，".join(
            x for x in (f"月份 {month}" if month else "", f"外包公司「{vendor}」" if vendor else "") if x
        )
        have = "、".join(sorted({f"{r.vendor} {r.month}" for r in result.records}))
        fail([Problem(f"没有符合条件的数据（{wanted}）", file=workbook.name, expected=f"已有：{have}")])
    return result


OUTPUT = click.Path(path_type=str)  # kept as typed: Path("新目录/") would drop the slash


def write_output(output: str | Path, write: Callable[[Path], object]) -> None:
    """Write a file the user named; a folder, a missing folder, an existing file (without --force) or
    an OS error is a located problem and exit 1, never a traceback."""
    text = str(output)
    target = Path(text)
    if text.endswith(("/", os.sep)) or target.is_dir():
        fail(
            [Problem("这是文件夹，不是文件名", file=text, expected="文件名，如 结算单/2024-06.xlsx")],
            "未写入",
        )
    if not target.parent.is_dir():
        fail([Problem(f"文件夹「{target.parent}」不存在", file=text, expected="已有的文件夹")], "未写入")
    try:
        write(target)
    except FileExistsError:
        fail([Problem("文件已存在，未覆盖（如需覆盖请加 --force）", file=str(output))], "未写入")
    except OSError as exc:
        fail([Problem(f"无法写入：{exc.strerror or exc}", file=str(output))], "未写入")
