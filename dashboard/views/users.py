"""用户管理's logic: the users table as shown, and the page's actions, each returning (ok, Chinese
message): the library's AccessError becomes the message, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
from sqlalchemy.engine import Engine

from kpi.access.roles import VENDOR
from kpi.access.users import (
    AccessError,
    UserInfo,
    add_user,
    disable_user,
    enable_user,
    get_user,
    set_password,
)

COLUMNS = ["用户名", "角色", "所属外包公司", "状态", "最近登录", "创建时间", "创建人"]
MISMATCH = "两次输入的密码不一致，请重新输入。"
NEEDS_VENDOR = f"角色「{VENDOR}」须填写所属外包公司（与工作簿中的公司名称一致）。"


def minute(stamp: str | None) -> str:
    """A stored time stamp (ISO, with its offset) as the page shows it: 2026-11-25 14:50."""
    return f"{datetime.fromisoformat(stamp):%Y-%m-%d %H:%M}" if stamp else "—"


def users_frame(infos: list[UserInfo]) -> pd.DataFrame:
    """The users as the 管理员 sees them; 状态 is 启用, 停用 or 锁定至 (a lock in force now)."""
    rows = [
        [i.user.name, i.user.role, i.user.vendor or "", i.state, minute(i.last_sign_in), minute(i.created_at),
         i.created_by]
        for i in infos
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


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
        before = get_user(engine, name)
        enable_user(engine, name, by)
        return (
            f"已启用用户「{name}」"
            if before is not None and before.disabled
            else f"已解除用户「{name}」的锁定"
        )

    return act(step)
