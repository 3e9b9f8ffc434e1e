# SPDX-License-Identifier: MIT
"""Sign up with an e-mailed code, and sign in."""
import streamlit as st
import vidgo

import state


def _sign_in(email, password):
    session = state.engine().accounts.login(email, password, caller="streamlit")
    st.session_state["user_id"] = session.user_id
    st.session_state.pop("pending_email", None)


def render():
    t = state.translator()
    accounts = state.engine().accounts
    sign_in, sign_up = st.tabs([t("sign_in"), t("sign_up")])

    with sign_in:
        email = st.text_input(t("email"), key="signin_email")
        password = st.text_input(t("password"), type="password", key="signin_password")
        if st.button(t("sign_in"), key="signin_button"):
            try:
                _sign_in(email, password)
                st.success(t("welcome", email=email))
            except vidgo.VidgoError as e:
                state.error(e)

    with sign_up:
        email = st.text_input(t("email"), key="signup_email")
        password = st.text_input(t("password"), type="password", key="signup_password")
        if st.button(t("create_account"), key="signup_button"):
            try:
                accounts.register(email, password, lang=state.lang(), caller="streamlit")
                st.session_state["pending_email"] = email
            except vidgo.VidgoError as e:
                state.error(e)

        pending = st.session_state.get("pending_email")
        if pending:
            st.info(t("code_sent", email=pending))
            outbox = state.outbox()
            code = outbox.code_for(pending) if outbox else None
            if code:
                st.info(t("dev_notice", code=code), icon="🛠️")
            entered = st.text_input(t("code"), key="signup_code", max_chars=6)
            verify, resend = st.columns(2)
            if verify.button(t("verify"), key="verify_button"):
                try:
                    accounts.verify(pending, entered.strip())
                    _sign_in(pending, st.session_state.get("signup_password", ""))
                    st.success(t("verified"))
                except vidgo.VidgoError as e:
                    state.error(e)
            if resend.button(t("resend"), key="resend_button"):
                try:
                    accounts.resend(pending)
                    st.rerun()
                except vidgo.VidgoError as e:
                    state.error(e)
