# SPDX-License-Identifier: MIT
"""Inspiration Gallery: topics and examples; "use this prompt" fills the creator."""
import streamlit as st

import state


def _use(example):
    st.session_state["prompt"] = example.prompt
    st.session_state["page"] = "creator"
    if example.service:
        st.session_state["service"] = example.service


def render():
    t = state.translator()
    gallery = state.engine().gallery
    topics = gallery.topics(state.lang())
    if not topics:
        st.info(t("no_examples"))
        return
    titles = {topic.topic: topic.title for topic in topics}
    state.keep("gallery_topic", titles)
    topic = st.selectbox(t("topic"), list(titles), key="gallery_topic",
                         format_func=lambda name: titles[name])
    examples = gallery.examples(topic, state.lang(), 6, 0)
    if not examples:
        st.info(t("no_examples"))
    for example in examples:
        with st.container(border=True):
            st.markdown(f"**{example.title}**")
            st.write(example.prompt)
            st.button(t("use_prompt"), key=f"use_{example.id}", on_click=_use, args=(example,))
