"""The address of a page the signed-in role does not have (a bookmark, a shared link): said in
Chinese instead of Streamlit's English "page not found"."""

import streamlit as st

from dashboard import auth

st.title("无权查看")
st.info(f"此页面不在您的角色（{auth.current_scope().role}）可用的页面中，请从左侧导航选择页面。")
