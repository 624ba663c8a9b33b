"""The four roles and what each may do. The names are what users see and what the database keeps."""

from __future__ import annotations

ADMIN = "管理员"  # users and roles only
MANAGER = "合同管理"  # everything: publish / finalise, decide disputes, caller numbers in full
FINANCE = "财务"  # statements and payouts of every vendor, scores read-only, callers masked
VENDOR = "外包公司"  # bound to one vendor: its own scorecards, agents, evidence, statements, disputes

ROLES: tuple[str, ...] = (ADMIN, MANAGER, FINANCE, VENDOR)
DATA_ROLES: tuple[str, ...] = (MANAGER, FINANCE, VENDOR)


def check_role(role: str, vendor: str | None) -> str | None:
    """Why this role/vendor pair cannot be given to a user (Chinese), or None when it can."""
    if role not in ROLES:
        return f"角色「{role}」不存在；可选：{'、'.join(ROLES)}"
    if role == VENDOR and not (vendor or "").strip():
        return f"角色「{VENDOR}」须指定所属外包公司（--vendor）"
    if role != VENDOR and vendor:
        return f"只有「{VENDOR}」角色绑定外包公司；「{role}」不能指定 --vendor"
    return None
