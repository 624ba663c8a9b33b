"""The app's error boundary: an unexpected error becomes one Chinese message with a reference id; the
traceback (with its server paths) goes only to the server log, under the same id.

`.streamlit/config.toml` sets `client.showErrorDetails = "none"` as the second line of defence.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

LOG = logging.getLogger("dashboard")
if not LOG.handlers:  # Streamlit configures only its own loggers
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(_handler)
    LOG.setLevel(logging.INFO)


def message(reference: str) -> str:
    return (
        f"页面出错，未能显示（参考编号 {reference}）。您的数据未被修改。"
        "请把参考编号告诉维护人员，他们可在服务器日志中按编号查到原因；可在左侧另选页面继续使用。"
    )


def report(exc: BaseException) -> str:
    """Log the error with a new reference id and show the one Chinese message; returns the id."""
    reference = secrets.token_hex(4).upper()
    LOG.error("参考编号 %s：页面出错", reference, exc_info=(type(exc), exc, exc.__traceback__))
    st.error(message(reference), icon=":material/error:")
    return reference


@contextmanager
def guarded() -> Iterator[None]:
    """Run a block so that any error in it (a bug) ends the page with `report`, never a traceback.
    Streamlit's own control flow (st.stop, st.rerun, switch_page) is a BaseException and passes."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - a bug must not show the user a traceback
        report(exc)
