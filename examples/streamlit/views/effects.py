# SPDX-License-Identifier: MIT
"""VidGo Effects (subscribers only): an effect service applied to a finished video."""
import streamlit as st
import vidgo

import state


def render():
    t = state.translator()
    user = state.require_user()
    if user is None:
        return
    engine = state.engine()
    if not engine.plans.get(user.plan).effects:
        st.warning(t("effects_only_subscribers"))
        return
    videos = [j for j in engine.jobs.list(user.id)
              if j.state == vidgo.JobState.SUCCEEDED and j.media_type == "video"]
    if not videos:
        st.info(t("no_videos"))
        return
    labels = {j.id: f"#{j.id} · {j.prompt[:60]}" for j in videos}
    video = st.selectbox(t("video"), list(labels), key="effect_video",
                         format_func=lambda i: labels[i])
    effects = [s for s in engine.plans.services()
               if s.kind == vidgo.ServiceKind.EFFECT and s.active and not s.internal]
    names = {s.name: f"{s.display_name.get(state.lang(), s.name)} · {s.credits}" for s in effects}
    effect = st.selectbox(t("effect"), list(names), key="effect", format_func=names.get)
    decision = engine.plans.check_access(user.id, effect)
    st.info(t("estimate", credits=decision.price,
              available=engine.credits.balance(user.id).available))
    if not decision.allowed:
        st.warning(vidgo.strerror(decision.reason, state.lang()))
    if st.button(t("apply_effect"), key="apply_effect", disabled=not decision.allowed):
        try:
            job = engine.jobs.submit(user.id, effect, None, key=state.new_key("effect"),
                                     lang=state.lang(), input_job_id=video)
        except vidgo.VidgoError as e:
            state.error(e)
            return
        state.show_result(state.wait_with_progress(job))
