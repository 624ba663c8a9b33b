"""`kpi user add | passwd | disable | enable | list`: the users who sign in to the app, kept in the
history database (`--db` or KPI_DB). Passwords are typed twice at a hidden prompt (or piped on stdin,
one line each), never given as an option, so they stay out of the shell's history and process list;
nothing here prints or logs them."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from kpi.access.roles import check_role
from kpi.access.users import (
    AccessError,
    add_user,
    disable_user,
    enable_user,
    set_password,
    user_infos,
)
from kpi.cli.common import fail
from kpi.cli.history_commands import DB, history_command, store, who
from kpi.cli.usage import Group
from kpi.errors import Problem
from kpi.reports.scorecards import table

BY = click.option("--by", help="操作人（默认：当前操作系统用户）")


def user_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """A refused change (name taken, weak password…) or a database problem: its Chinese message and
    exit 1, never a traceback."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AccessError as exc:
            fail([Problem(str(exc))], "未完成")

    return history_command(run)


def _secret(prompt: str) -> str:
    """One line typed at a hidden prompt on a terminal (the prompt on stderr), or read from piped
    stdin without a prompt (scripts: the password and its repetition, one line each)."""
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt(prompt, hide_input=True, err=True)
    line = stdin.readline()
    if not line:
        fail([Problem("没有读到密码：请在提示下输入，或经标准输入每行给出一次（共两行）")], "未完成")
    return line.rstrip("\r\n")


def new_password() -> str:
    """The password typed twice; exit 1 when the two differ."""
    first = _secret("新密码")
    second = _secret("再次输入新密码")
    if first != second:
        fail([Problem("两次输入的密码不一致，未做任何改动")], "未完成")
    return first


@click.group(name="user", cls=Group)
def user_group() -> None:
    """登录应用的用户：新增、改密码、停用、启用、列出（用户存于历史数据库）。

    \b
    首次使用：打开应用时若数据库中还没有用户，页面会请你创建第一位管理员；
    也可在命令行创建：kpi user add 王管理 --role 管理员
    角色：管理员、合同管理、财务、外包公司（外包公司须加 --vendor 指定所属公司）。
    用身份提供方（OIDC）登录时，用户名写成其电子邮箱。
    """


@user_group.command(name="add")
@click.argument("name")
@click.option("--role", required=True, help="角色：管理员、合同管理、财务、外包公司")
@click.option("--vendor", help="所属外包公司（仅「外包公司」角色，且必须给出）")
@DB
@BY
@user_command
def add(name: str, role: str, vendor: str | None, db: str, by: str | None) -> None:
    """新增用户 NAME；密码在提示下输入两次（不回显，至少 8 个字符）。

    \b
    例：kpi user add 张经理 --role 合同管理
        kpi user add 华信对接人 --role 外包公司 --vendor 华信客服
    """
    why = check_role(role, (vendor or "").strip() or None)
    if why:  # before the password is asked for
        raise AccessError(why)
    engine = store(db)
    password = new_password()
    user = add_user(engine, name, role, password, vendor=vendor, by=who(by))
    shown = f"{user.role}，{user.vendor}" if user.vendor else user.role
    click.echo(f"已新增用户「{user.name}」（{shown}）")


@user_group.command(name="passwd")
@click.argument("name")
@DB
@BY
@user_command
def passwd(name: str, db: str, by: str | None) -> None:
    """重设用户 NAME 的密码（输入两次，不回显）；同时解除输错密码造成的锁定。"""
    engine = store(db)
    password = new_password()
    set_password(engine, name, password, who(by))
    click.echo(f"已重设用户「{name}」的密码")


@user_group.command(name="disable")
@click.argument("name")
@DB
@BY
@user_command
def disable(name: str, db: str, by: str | None) -> None:
    """停用用户 NAME：不能再登录（审计记录保留）；唯一启用中的管理员不能停用。"""
    disable_user(store(db), name, who(by))
    click.echo(f"已停用用户「{name}」")


@user_group.command(name="enable")
@click.argument("name")
@DB
@BY
@user_command
def enable(name: str, db: str, by: str | None) -> None:
    """重新启用用户 NAME；也用于解除输错密码造成的锁定。"""
    enable_user(store(db), name, who(by))
    click.echo(f"已启用用户「{name}」")


@user_group.command(name="list")
@DB
@history_command
def list_cmd(db: str) -> None:
    """列出全部用户：用户名、角色、所属外包公司、状态（启用、停用或锁定至何时）、最近登录、创建时间与创建人。"""
    infos = user_infos(store(db))
    if not infos:
        click.echo("还没有用户（用 kpi user add 新增，或在应用页面创建第一位管理员）。")
        return
    cells = [
        [
            i.user.name,
            i.user.role,
            i.user.vendor or "—",
            i.state,
            i.last_sign_in or "—",
            i.created_at,
            i.created_by,
        ]
        for i in infos
    ]
    click.echo(table(["用户名", "角色", "外包公司", "状态", "最近登录", "创建时间", "创建人"], cells))
