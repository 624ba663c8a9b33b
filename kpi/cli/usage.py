"""The command line's own messages in Chinese: usage errors (click writes them in English) and the
help option's text. Exit codes stay click's: 2 for a usage error."""

from __future__ import annotations

import importlib
import logging
import os
import re
import sys
from collections.abc import Callable
from typing import NoReturn

import click
import pyarrow as pa

HELP_TEXT = "显示帮助并退出"


def _maybe(hint: str | None) -> str:
    return f"（是不是 {hint}？）" if hint else ""


ERRORS: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (  # click's English → Chinese
    (
        r"No such option:? '?([^'\s]+)'?\.?(?: Did you mean '?([^'?]+)'?\?)?.*",
        lambda m: f"没有这个选项：{m[1]}{_maybe(m[2])}",
    ),
    (
        r"No such command '([^']+)'\.(?: Did you mean '([^']+)'\?)?",
        lambda m: f"没有这个命令：{m[1]}{_maybe(m[2])}",
    ),
    (r"Missing argument '([^']+)'\.", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing option '([^']+)'\.", lambda m: f"缺少必填选项 {m[1]}"),
    (r"Got unexpected extra arguments? \((.*)\)", lambda m: f"多余的参数：{m[1]}"),
    (r"Option '([^']+)' requires an argument\.", lambda m: f"选项 {m[1]} 需要一个值"),
    (
        r"Invalid value for '([^']+)': '([^']*)' is not one of (.*)\.",
        lambda m: f"「{m[1]}」的值「{m[2]}」无效，应为其中之一：{m[3]}",
    ),
    (r"Invalid value for '([^']+)'(?: / '[^']+')?: (.*)", lambda m: f"「{m[1]}」的值无效：{m[2]}"),
)


def translate(message: str) -> str:
    """A click usage message in Chinese (an unknown one is kept as it is)."""
    for pattern, chinese in ERRORS:
        match = re.fullmatch(pattern, message, flags=re.DOTALL)
        if match:
            return chinese(match)
    return message


def lean_arrow_memory() -> None:
    """Arrow's buffers from jemalloc where this pyarrow has it: on a 5M-row CSV month it spends ~1.5 s
    less system time than the default mimalloc and peaks a little lower (1.35–1.37 against 1.39–1.49
    GB); a 1M-row month peaks ~80 MB higher (benchmarks/RESULTS.md). Freed pages go back to the
    system at once (Arrow's own setting keeps them a second): on the 5M-row month ~250 MB lower peak
    for ~0.7 s more CPU (benchmarks/RESULTS.md, issue 11 session 4). A pool the user chose
    (ARROW_DEFAULT_MEMORY_POOL) is kept; buffers made before the switch are freed by their own pool.
    (Its huge pages are asked for before pyarrow is loaded: kpi/cli/__init__.py.)"""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without it
        return
    pa.jemalloc_set_decay_ms(0)  # for the arenas made from now on: before any buffer comes from it
    pa.set_memory_pool(pool)


class _ChineseHelp:
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class Command(_ChineseHelp, click.Command):
    """A click command whose help option is described in Chinese."""


class Group(_ChineseHelp, click.Group):
    """A click group whose subcommands and usage errors speak Chinese. Commands added with
    `add_lazy` are imported only when named (or listed for help): `kpi score` on a big month does
    not wait for the database and PDF libraries of the history and document commands."""

    command_class = Command

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - click's own signature
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}

    def add_lazy(self, name: str, target: str) -> None:
        """Register command `name` as "module:attribute", imported when first needed."""
        self.lazy[name] = target

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:  # suggest among the lazy commands too
            raise click.exceptions.NoSuchCommand(
                error.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def main(self, *args, **kwargs):  # noqa: ANN002, ANN003 - click's own signature
        lean_arrow_memory()
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.UsageError as error:
            if error.ctx is not None:
                click.echo(error.ctx.get_usage().replace("Usage: ", "用法：", 1), err=True)
                click.echo(f"查看帮助：{error.ctx.command_path} --help", err=True)
            click.echo(f"\n错误：{translate(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"错误：{translate(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("已中止。", err=True)
            sys.exit(1)


def run_process(command: Callable[[], object]) -> NoReturn:
    """`command` as a whole process (the `kpi` console command, `python -m kpi.cli`), then out at
    once with its exit code: the interpreter's tear-down, every module and object freed one by one,
    is skipped (0.2–0.35 s of each run). Nothing is left to write by then: files are written and
    closed, and database transactions committed, inside the command; its output is flushed here. A
    bug's traceback is not caught: it goes out as usual."""
    try:
        command()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`kpi … | head`): as Python's own exit says it
        code = 120
    os._exit(code)
