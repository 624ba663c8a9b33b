"""Who is using the app: the signed-in user's scope (placeholder until the sign-in gate lands)."""

from __future__ import annotations

import streamlit as st

from kpi.access.roles import MANAGER
from kpi.access.scope import Scope

SCOPE_KEY = "auth_scope"
DEMO = Scope("演示用户", MANAGER, demo=True)


def current_scope() -> Scope:
    """The signed-in user's scope; the demo 合同管理 when nobody signed in."""
    scope = st.session_state.get(SCOPE_KEY)
    return scope if isinstance(scope, Scope) else DEMO
