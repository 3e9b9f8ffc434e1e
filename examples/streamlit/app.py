# SPDX-License-Identifier: MIT
"""VidGo, the Streamlit app on libvidgo's Python binding: `streamlit run app.py`.
$VIDGO_DB names the store (./vidgo-app.db), $VIDGO_PROVIDER_MODE the providers (local)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st  # noqa: E402

import i18n  # noqa: E402
import state  # noqa: E402
from views import account, creator, dashboard, effects, gallery, subscription  # noqa: E402

PAGES = {"account": account, "creator": creator, "gallery": gallery,
         "dashboard": dashboard, "subscription": subscription, "effects": effects}

st.set_page_config(page_title="VidGo", page_icon="🎬", layout="wide")
st.session_state.setdefault("lang", "en")
st.session_state.setdefault("page", "account")

t = state.translator()
state.keep("page", PAGES)
with st.sidebar:
    st.selectbox(t("language"), i18n.LANGS, key="lang",
                 format_func=lambda tag: i18n.LANG_NAMES[tag])
    st.radio(t("navigation"), list(PAGES), key="page",
             format_func=lambda page: t("page_" + page))
    current = state.user()
    if current:
        st.caption(t("signed_in_as", email=current.email,
                   plan=state.plan_name(current.plan)))
        if st.button(t("sign_out"), key="sign_out"):
            for key in ("user_id", "last_job"):
                st.session_state.pop(key, None)
            st.rerun()
    if state.offline():
        st.caption(t("offline_mode"))

st.title(t("title"))
st.header(t("page_" + st.session_state["page"]))
PAGES[st.session_state["page"]].render()
