"""用户管理's logic: the users table as shown, and the page's actions, each returning (ok, Chinese
message): the library's AccessError becomes the message, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy.engine import Engine

from kpi.access.roles import VENDOR
from kpi.access.users import AccessError, User, add_user, disable_user, enable_user, set_password

COLUMNS = ["用户名", "角色", "所属外包公司", "状态"]
MISMATCH = "两次输入的密码不一致，请重新输入。"
NEEDS_VENDOR = f"角色「{VENDOR}」须填写所属外包公司（与工作簿中的公司名称一致）。"


def users_frame(users: list[User]) -> pd.DataFrame:
    return pd.DataFrame(
        [[u.name, u.role, u.vendor or "", "停用" if u.disabled else "启用"] for u in users], columns=COLUMNS
    )


def act(step: Callable[[], str]) -> tuple[bool, str]:
    try:
        return True, step()
    except AccessError as exc:
        return False, str(exc)


def add(
    engine: Engine, name: str, role: str, vendor: str, password: str, again: str, by: str
) -> tuple[bool, str]:
    if password != again:
        return False, MISMATCH
    if role == VENDOR and not vendor.strip():
        return False, NEEDS_VENDOR
    vendor_or_none = vendor.strip() if role == VENDOR else None

    def step() -> str:
        user = add_user(engine, name, role, password, vendor_or_none, by=by)
        bound = f" · {user.vendor}" if user.vendor else ""
        return f"已新增用户「{user.name}」（{user.role}{bound}）"

    return act(step)


def reset_password(engine: Engine, name: str, password: str, again: str, by: str) -> tuple[bool, str]:
    if password != again:
        return False, MISMATCH

    def step() -> str:
        set_password(engine, name, password, by)
        return f"已重设用户「{name}」的密码（同时解除锁定）"

    return act(step)


def disable(engine: Engine, name: str, by: str) -> tuple[bool, str]:
    def step() -> str:
        disable_user(engine, name, by)
        return f"已停用用户「{name}」"

    return act(step)


def enable(engine: Engine, name: str, by: str) -> tuple[bool, str]:
    def step() -> str:
        enable_user(engine, name, by)
        return f"已启用用户「{name}」（并解除锁定）"

    return act(step)
