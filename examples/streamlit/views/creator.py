# SPDX-License-Identifier: MIT
"""Product Ads Video Creator: prompt or photo, a service the plan allows, a live estimate,
then the job's progress and its result."""
import streamlit as st
import vidgo

import state

KINDS = {"prompt": (vidgo.ServiceKind.VIDEO, vidgo.ServiceKind.IMAGE),
         "photo": (vidgo.ServiceKind.VIDEO,)}  # the library makes only videos from a photo
REFUSED_BUT_SHOWN = {"VG_EINSUFFICIENT_CREDITS"}  # on the plan, just not affordable now


def render():
    t = state.translator()
    user = state.require_user()
    if user is None:
        return
    engine = state.engine()
    state.keep("creator_mode", KINDS)
    mode = st.radio(t("input_mode"), list(KINDS), key="creator_mode", horizontal=True,
                    format_func=lambda m: t("mode_" + m))
    services = [s for s in engine.plans.services()
                if s.kind in KINDS[mode] and s.active and not s.internal]
    access = {s.name: engine.plans.check_access(user.id, s.name) for s in services}
    usable = [s for s in services
              if access[s.name].allowed or access[s.name].reason_key in REFUSED_BUT_SHOWN]
    locked = [s for s in services if s not in usable]
    names = {s.name: s.display_name.get(state.lang(), s.name) for s in services}

    prompt = st.text_area(t("prompt"), key="prompt")
    photo = None
    if mode == "photo":
        photo = st.file_uploader(t("photo"), type=["png", "jpg", "jpeg"], key="photo")

    by_name = {s.name: s for s in usable}
    state.keep("service", by_name)  # the gallery may have set one this plan lacks
    choice = st.selectbox(t("service"), list(by_name), key="service", format_func=lambda n: t(
        "service_option", name=names[n], res=by_name[n].resolution, credits=by_name[n].credits))
    if locked:
        st.caption(t("locked_services", names=", ".join(names[s.name] for s in locked)))
    if choice is None:
        return

    decision = access[choice]
    balance = engine.credits.balance(user.id)
    if decision.free_use:
        st.info(t("estimate_free", left=balance.free_uses))
    else:
        st.info(t("estimate", credits=decision.price, available=balance.available))
    if not decision.allowed:
        st.warning(vidgo.strerror(decision.reason, state.lang()))
    if decision.cache_only:
        st.caption(t("cache_only_note"))
    if decision.watermark:
        st.caption(t("watermark_notice"))

    if st.button(t("generate"), key="generate", type="primary", disabled=not decision.allowed):
        if mode == "photo" and photo is None:
            st.warning(t("photo_required"))
            return
        if not prompt.strip():  # with a photo too: it says what the video does with it
            st.warning(t("prompt_required"))
            return
        try:
            job = state.jobs().submit(
                user.id, choice, prompt.strip(), key=state.new_key("job"),
                lang=state.lang(), image=photo.getvalue() if photo else None,
                image_mime=photo.type if photo else None)
        except vidgo.VidgoError as e:
            state.error(e)
            return
        st.session_state["last_job"] = state.wait_with_progress(job).id

    if st.session_state.get("last_job"):
        job = engine.jobs.get(st.session_state["last_job"])
        state.show_result(job)
        if job.final:
            after = engine.credits.balance(user.id)
            st.success(t("new_balance", price=0 if job.free_use else job.price,
                         available=after.available, free=after.free_uses))
