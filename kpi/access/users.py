"""Users and sign-in, the one public face for the app and the CLI: the users kept in the history
database (`kpi.access.accounts`) and signing in with its lock, identity-provider mapping, idle
timeout and audit rows (`kpi.access.signin`)."""

from __future__ import annotations

from kpi.access.accounts import (
    IDLE,
    LOCK,
    MAX_FAILURES,
    AccessError,
    User,
    UserInfo,
    add_user,
    create_first_admin,
    disable_user,
    enable_user,
    get_user,
    has_users,
    list_users,
    set_password,
    user_infos,
)
from kpi.access.signin import (
    SignIn,
    identity_user,
    idle_expired,
    record_export,
    sign_in,
    sign_in_identity,
)

__all__ = [
    "IDLE",
    "LOCK",
    "MAX_FAILURES",
    "AccessError",
    "SignIn",
    "User",
    "UserInfo",
    "add_user",
    "create_first_admin",
    "disable_user",
    "enable_user",
    "get_user",
    "has_users",
    "identity_user",
    "idle_expired",
    "list_users",
    "record_export",
    "set_password",
    "sign_in",
    "sign_in_identity",
    "user_infos",
]
