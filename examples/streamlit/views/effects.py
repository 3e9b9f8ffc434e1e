# SPDX-License-Identifier: MIT
"""VidGo Effects (subscribers only): an effect service applied to a finished video, in a
style picked from STYLES when the effect is a style transfer."""
import streamlit as st
import vidgo

import state

# The styles offered, as (style id, i18n key of its label). The ids are GoEnhance's
# video-to-video model ids (docs/providers/goenhance.md; "2000" is the library's default
# style); the offline `local` provider takes any id.
STYLES = (
    ("2000", "style_anime"),
    ("2004", "style_3d_cartoon"),
    ("2005", "style_clay"),
    ("2006", "style_oil_painting"),
)


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
    state.keep("effect", names)
    effect = st.selectbox(t("effect"), list(names), key="effect", format_func=names.get)
    # the library's capability table says which effects are style transfers
    styled = {name for c in engine.providers.capabilities()
              if c.kind == vidgo.TaskKind.STYLE_TRANSFER for name in c.services}
    style = None
    if effect in styled:
        style_keys = dict(STYLES)
        state.keep("effect_style", style_keys)
        style = st.radio(t("style"), list(style_keys), key="effect_style", horizontal=True,
                         format_func=lambda s: t(style_keys[s]))
    decision = engine.plans.check_access(user.id, effect)
    st.info(t("estimate", credits=decision.price,
              available=engine.credits.balance(user.id).available))
    if not decision.allowed:
        st.warning(vidgo.strerror(decision.reason, state.lang()))
    if st.button(t("apply_effect"), key="apply_effect", disabled=not decision.allowed):
        try:
            job = state.jobs().submit(user.id, effect, None, key=state.new_key("effect"),
                                      lang=state.lang(), input_job_id=video, style=style)
        except vidgo.VidgoError as e:
            state.error(e)
            return
        state.show_result(state.wait_with_progress(job))
