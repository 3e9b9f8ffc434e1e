# SPDX-License-Identifier: MIT
"""engine.gallery: the inspiration gallery (include/vidgo/generate.h, bottom; docs/gallery.md)."""
from __future__ import annotations

from typing import List, Optional, Union

from . import _call
from . import types as _t
from ._ffi import ffi, lib


class Gallery(_call.Group):
    """Topics, random examples, promoting a public job's result, removing an example."""

    __slots__ = ()

    def topics(self, lang: Optional[str] = None) -> List[_t.Topic]:
        """The topics by name, with their example count in ``lang`` (None: the engine's)."""
        col = _call.Collector(lambda t: _t.Topic(_t.text(t.topic), _t.text(t.title), int(t.count)))
        with self._h as ctx:
            _call.ok(lib.vg_gallery_topics(ctx, _t.cstring(lang), _call.TOPIC, col.handle), ctx)
        return col.result()

    def examples(self, topic: Optional[str] = None, lang: Optional[str] = None, count: int = 6,
                 seed: int = 0) -> List[_t.Example]:
        """Up to ``count`` (1..100) examples of a topic (None: any) in a language, at random
        (seed 0: a fresh order; another seed: the same order each time)."""
        col = _call.Collector(lambda e: _t.from_c(_t.Example, e))
        with self._h as ctx:
            _call.ok(lib.vg_gallery_examples(ctx, _t.cstring(topic), _t.cstring(lang), count,
                                             seed, _call.EXAMPLE, col.handle), ctx)
        return col.result()

    def promote(self, job: Union[int, _t.Job], topic: str, title: Optional[str] = None) -> int:
        """Adds a succeeded, public job's result under a topic; returns the example's id."""
        job_id = job.id if isinstance(job, _t.Job) else int(job)
        out = ffi.new("int64_t *")
        with self._h as ctx:
            _call.ok(lib.vg_gallery_promote(out, ctx, job_id, _t.cstring(topic),
                                            _t.cstring(title)), ctx)
        return int(out[0])

    def remove(self, example_id: int) -> None:
        """Removes an example; raises NotFound."""
        with self._h as ctx:
            _call.ok(lib.vg_gallery_remove(ctx, example_id), ctx)
