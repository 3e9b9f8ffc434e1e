# SPDX-License-Identifier: MIT
"""Subscription: the plan comparison, subscribing and topping up through orders. In the
payments sandbox (the default offline) orders are paid by the sandbox's simulated, signed
callback; otherwise the user goes to ECPay's checkout."""
import pandas as pd
import streamlit as st
import vidgo

import state


def _pay(order):
    t = state.translator()
    engine = state.engine()
    if state.SANDBOX:
        order = engine.payments.simulate_paid(order.id)
        balance = engine.credits.balance(order.user_id)
        st.success(t("paid", number=order.number, available=balance.available))
    else:
        form = engine.payments.ecpay_checkout(order.id, "http://localhost:8501/")
        inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in form.fields)
        st.markdown(f'<form action="{form.action}" method="post">{inputs}'
                    f'<button type="submit">{t("checkout")}</button></form>',
                    unsafe_allow_html=True)
    return order


def render():
    t = state.translator()
    engine = state.engine()
    lang = state.lang()
    plans = [p for p in engine.plans.list() if p.active]
    yes_no = {True: t("yes"), False: t("no")}
    st.subheader(t("plans"))
    st.table(pd.DataFrame([{
        t("col_plan"): p.display_name.get(lang, p.name),
        t("col_price"): p.price_twd,
        t("col_weekly"): p.weekly_credits,
        t("col_max_res"): f"{p.max_resolution}p",
        t("col_watermark"): yes_no[p.watermark],
        t("col_effects"): yes_no[p.effects],
        t("col_priority"): yes_no[p.priority_queue],
        t("col_discount"): f"{p.topup_discount_pct}%",
    } for p in plans]).set_index(t("col_plan")))

    user = state.require_user()
    if user is None:
        return
    if state.SANDBOX:
        st.warning(t("test_mode"), icon="🧪")
    st.info(t("current_plan", plan=state.plan_name(user.plan)))

    cols = st.columns(max(1, sum(p.paid for p in plans)))
    for col, plan in zip(cols, [p for p in plans if p.paid]):
        name = plan.display_name.get(lang, plan.name)
        if col.button(t("subscribe", plan=name), key=f"subscribe_{plan.name}",
                      disabled=plan.name == user.plan):
            try:
                order = engine.payments.create_order(user.id, plan.name, key=state.new_key("sub"),
                                                     kind=vidgo.OrderKind.SUBSCRIPTION)
                _pay(order)
                if state.SANDBOX:
                    st.success(t("subscribed", plan=name))
            except vidgo.VidgoError as e:
                state.error(e)

    st.subheader(t("topup"))
    offers = {o.package.name: o for o in engine.plans.packages(user.plan) if o.package.active}
    state.keep("package", offers)
    choice = st.selectbox(t("package"), list(offers), key="package", format_func=lambda n: t(
        "package_option", name=offers[n].package.display_name.get(lang, n),
        price=offers[n].price_twd))
    if st.button(t("buy"), key="buy") and choice:
        try:
            _pay(engine.payments.create_order(user.id, choice, key=state.new_key("topup")))
        except vidgo.VidgoError as e:
            state.error(e)
