# SPDX-License-Identifier: MIT
"""Dashboard: balance by bucket, the countdown to Monday's reset, credits used per day and
the ledger."""
import collections

import pandas as pd
import streamlit as st
import vidgo

import state


def render():
    t = state.translator()
    user = state.require_user()
    if user is None:
        return
    engine = state.engine()
    balance = engine.credits.balance(user.id)
    st.subheader(t("balance"))
    cols = st.columns(6)
    for col, (label, value) in zip(cols, [
            ("bucket_available", balance.available), ("bucket_subscription", balance.subscription),
            ("bucket_purchased", balance.purchased), ("bucket_bonus", balance.bonus),
            ("bucket_held", balance.held), ("free_uses", balance.free_uses)]):
        col.metric(t(label), value)

    reset = balance.next_reset or engine.credits.next_reset(engine.now())
    left = max(0, int((reset - engine.now()).total_seconds()))
    st.info(t("next_reset", days=left // 86400, hours=left % 86400 // 3600,
              minutes=left % 3600 // 60))

    entries = list(engine.credits.history(user.id))
    used = collections.Counter()
    for e in entries:
        if e.type == vidgo.LedgerType.DEBIT and e.at:
            used[e.at.date().isoformat()] += abs(e.amount)
    st.subheader(t("usage_chart"))
    if used:
        st.bar_chart(pd.DataFrame({t("usage_chart"): used}).sort_index())
    else:
        st.caption(t("no_usage"))

    st.subheader(t("history"))
    st.dataframe(pd.DataFrame([{
        t("col_time"): e.at.strftime("%Y-%m-%d %H:%M") if e.at else "",
        t("col_type"): e.type.name.lower(),
        t("col_amount"): e.amount,
        t("col_service"): e.service,
        t("col_total"): e.total_after,
    } for e in entries]), hide_index=True, width="stretch")
