# SPDX-License-Identifier: MIT
"""engine.cache: the prompt-similarity cache, embedders, single flight and the block cache
(include/vidgo/cache.h; ``docs/cache.md`` has the rules)."""
from __future__ import annotations

import weakref
from typing import (TYPE_CHECKING, Any, Callable, List, Mapping, Optional, Sequence, Tuple,
                    Union)

from . import _call
from . import constants as _constants
from . import types as _t
from ._ffi import ffi, lib
from ._handle import Handle
from .errors import ClosedError, NotFound

if TYPE_CHECKING:
    from .engine import Engine

ScopeLike = Union[_t.CacheScope, str, Mapping[str, Any]]


def scope_struct(scope: Optional[ScopeLike], keep: List[Any]) -> Any:
    """A vg_cache_scope * for a CacheScope, a service name or a dict (None -> NULL)."""
    if scope is None:
        return ffi.NULL
    if isinstance(scope, str):
        scope = _t.CacheScope(service=scope)
    elif isinstance(scope, Mapping):
        scope = _t.CacheScope(**scope)
    out = ffi.new("vg_cache_scope *")
    out.version = _constants.get("VG_CACHE_SCOPE_VERSION")
    keep.append(out)
    _t.to_c(scope, out, keep)
    return out


def normalize(prompt: str) -> str:
    """The prompt as the cache compares it (NFKC, case fold, white space collapsed)."""
    size = _constants.get("VG_PROMPT_MAX_BYTES") + 1
    buf = ffi.new("char[]", size)
    length = ffi.new("size_t *")
    _call.ok(lib.vg_prompt_normalize(buf, size, length, _t.cstring(prompt)))
    return ffi.buffer(buf, length[0])[:].decode("utf-8")


class Embedder:
    """An embedder: turns prompts into unit vectors. Make one with ``Embedder.local()``,
    ``engine.cache.gemini_embedder()``, ``engine.cache.default_embedder()`` or
    ``Embedder.from_function()``; pass it to ``engine.cache.open(embedder=...)``.
    Embedders made on an engine are freed when closed, with the engine, or by the GC,
    after every cache that uses them."""

    def __init__(self, struct: Any, handle: Optional[Handle] = None, keep: Any = None,
                 engine: Optional["Engine"] = None) -> None:
        self._struct = struct  # vg_embedder *
        self._handle = handle
        self._keep = keep
        self._engine = engine
        if handle is not None:
            self._finalizer: Optional[weakref.finalize] = weakref.finalize(self, handle.close)
        else:
            self._finalizer = None

    @classmethod
    def local(cls, dimension: int = 0) -> "Embedder":
        """The offline `local` embedder (hashed character n-grams) of `dimension` (0: 768)."""
        out = ffi.new("vg_embedder *")
        _call.ok(lib.vg_embedder_local(out, dimension))
        return cls(out)

    @classmethod
    def from_function(cls, fn: Callable[[List[str]], Sequence[Sequence[float]]], *, name: str,
                      model: str, dimension: int, max_batch: int = 1) -> "Embedder":
        """An embedder of your own: ``fn(prompts)`` returns one vector of ``dimension``
        floats per (normalised) prompt. It is called from the library's threads (the GIL is
        taken for it) and must be thread-safe; an exception fails the lookup with
        ProviderError. name, model and dimension make the cache's fingerprint."""
        def embed(out: Any, prompts: Any, count: int, errbuf: Any, size: int,
                  payload: Any) -> int:
            try:
                texts = [ffi.string(prompts[i]).decode("utf-8") for i in range(count)]
                vectors = fn(texts)
                if len(vectors) != count:
                    raise ValueError(f"expected {count} vectors, got {len(vectors)}")
                for i, vector in enumerate(vectors):
                    if len(vector) != dimension:
                        raise ValueError(f"expected {dimension} floats, got {len(vector)}")
                    for j, value in enumerate(vector):
                        out[i * dimension + j] = float(value)
                return 0
            except BaseException as exc:  # noqa: BLE001 - reported through errbuf
                reason = (f"{type(exc).__name__}: {exc}").encode("utf-8", "replace")[: size - 1]
                ffi.memmove(errbuf, reason + b"\0", len(reason) + 1)
                return 1

        callback = ffi.callback("vg_embed_fn", embed)
        name_buf = ffi.new("char[]", _t.cstring(name))
        model_buf = ffi.new("char[]", _t.cstring(model))
        out = ffi.new("vg_embedder *")
        out.version = _constants.get("VG_EMBEDDER_VERSION")
        out.name = name_buf
        out.model = model_buf
        out.dimension = dimension
        out.max_batch = max_batch
        out.embed = callback
        out.payload = ffi.NULL
        return cls(out, keep=(callback, name_buf, model_buf))

    @property
    def name(self) -> str:
        return _t.text(self._struct.name)

    @property
    def model(self) -> str:
        return _t.text(self._struct.model)

    @property
    def dimension(self) -> int:
        return int(self._struct.dimension)

    @property
    def max_batch(self) -> int:
        return max(1, int(self._struct.max_batch))

    def _enter(self) -> Any:
        if self._handle is None:
            return _NoHandle(self._struct)
        return self._handle

    def embed(self, prompts: Union[str, Sequence[str]]) -> List[List[float]]:
        """Embeds prompts (normalised first, as the cache does) and returns one vector each."""
        items: Sequence[str] = [prompts] if isinstance(prompts, str) else prompts
        texts = [normalize(p) for p in items]
        dim = self.dimension
        result: List[List[float]] = []
        with self._enter() as struct:
            for start in range(0, len(texts), self.max_batch):
                batch = [_t.cstring(t) for t in texts[start:start + self.max_batch]]
                bufs = [ffi.new("char[]", b) for b in batch]
                arr = ffi.new("const char *[]", bufs)
                out = ffi.new("float[]", len(batch) * dim)
                errbuf = ffi.new("char[]", 512)
                rc = struct.embed(out, arr, len(batch), errbuf, 512, struct.payload)
                if rc != 0:
                    code = rc if rc < 0 else lib.VG_EPROVIDER
                    from .errors import class_for, error_name, strerror

                    key = error_name(code)
                    raise class_for(code, key)(code, key, _t.text(errbuf) or strerror(code),
                                               strerror(code))
                result += [list(out[i * dim:(i + 1) * dim]) for i in range(len(batch))]
        return result

    def close(self) -> None:
        """Frees an embedder made on an engine (after closing the caches that use it)."""
        if self._finalizer is not None:
            self._finalizer()

    def __repr__(self) -> str:
        return f"<vidgo.Embedder {self.name}/{self.model}/{self.dimension}>"


class _NoHandle:
    """Stands in for a Handle for embedders the binding does not free (local, Python)."""

    def __init__(self, struct: Any) -> None:
        self._struct = struct

    def __enter__(self) -> Any:
        return self._struct

    def __exit__(self, *exc: Any) -> None:
        pass


class Flight:
    """Work in progress on a prompt (single flight): end it with :meth:`done` or
    :meth:`fail`. Used as a context manager it fails unless done; garbage-collected
    unended, it fails too (waiters then proceed on their own)."""

    def __init__(self, cache: "Cache", ptr: Any) -> None:
        self._cache = cache
        self._h = Handle(ptr, lib.vg_cache_flight_fail, "flight", parents=[cache._h])
        self._finalizer = weakref.finalize(self, self._h.close)

    def done(self, result: str, *, cost_micro_usd: int = 0, ttl_s: int = 0,
             owner_only: bool = False) -> None:
        """Stores the result (as Cache.put does) and wakes who waits for it."""
        self._finalizer.detach()
        ptr = self._h.take()
        _call.ok(lib.vg_cache_flight_done(ptr, _t.cstring(result), cost_micro_usd, ttl_s,
                                          1 if owner_only else 0), None, self._cache._lang)

    def fail(self) -> None:
        """Remembers the failure (negative caching) and wakes who waits."""
        self._finalizer()

    @property
    def ended(self) -> bool:
        return self._h.closed

    def __enter__(self) -> "Flight":
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.ended:
            self.fail()


class Cache:
    """An open similarity cache of an engine's store. Close it (or use ``with``) before
    the engine; the engine closes it anyway, and so does the GC."""

    def __init__(self, engine: "Engine", embedder: Optional[Embedder], options: Any) -> None:
        parents = [engine._h]
        if embedder is not None and embedder._handle is not None:
            parents.append(embedder._handle)
        out = ffi.new("vg_cache **")
        with engine._h as ctx:
            if embedder is not None and embedder._handle is not None:
                with embedder._handle:
                    rc = lib.vg_cache_open(out, ctx, options)
            else:
                rc = lib.vg_cache_open(out, ctx, options)
            _call.ok(rc, ctx)
        self._engine = engine
        self._lang = engine.lang
        self._embedder = embedder
        self._h = Handle(out[0], lib.vg_cache_close, "cache", parents=parents)
        self._finalizer = weakref.finalize(self, self._h.close)

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._h.closed

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def put(self, scope: ScopeLike, prompt: str, result: str, *, cost_micro_usd: int = 0,
            ttl_s: int = 0, owner_id: int = 0, owner_only: bool = False) -> int:
        """Stores a result under a scope and prompt; returns the entry's id."""
        keep: List[Any] = []
        sc = scope_struct(scope, keep)
        out = ffi.new("int64_t *")
        with self._h as cache:
            _call.ok(lib.vg_cache_put(out, cache, sc, _t.cstring(prompt), _t.cstring(result),
                                      cost_micro_usd, ttl_s, owner_id, 1 if owner_only else 0), None, self._lang)
        return int(out[0])

    def lookup(self, scope: ScopeLike, prompt: str, user_id: int = 0) -> _t.CacheHit:
        """Looks a prompt up for a user (0: anonymous). A miss is a CacheHit with
        ``match == CacheMatch.MISS`` (``hit.hit`` is False), not an exception."""
        keep: List[Any] = []
        sc = scope_struct(scope, keep)
        out = ffi.new("vg_cache_hit *")
        with self._h as cache:
            rc = lib.vg_cache_lookup(out, cache, sc, _t.cstring(prompt), user_id)
            _call.ok(rc, None, self._lang)
        return _t.from_c(_t.CacheHit, out)

    def compare(self, a: str, b: str) -> _t.Comparison:
        """Compares two prompts as a lookup would (for calibration)."""
        sim = ffi.new("double *")
        gate = ffi.new("int *")
        with self._h as cache:
            rc = lib.vg_cache_compare(sim, gate, cache, _t.cstring(a), _t.cstring(b))
            _call.ok(rc, None, self._lang)
        return _t.Comparison(float(sim[0]), bool(gate[0]))

    def invalidate(self, entry_id: int) -> None:
        """Removes one entry; raises NotFound."""
        with self._h as cache:
            _call.ok(lib.vg_cache_invalidate(cache, entry_id), None, self._lang)

    def invalidate_scope(self, scope: ScopeLike) -> int:
        """Removes every entry of a scope; returns how many."""
        keep: List[Any] = []
        sc = scope_struct(scope, keep)
        out = ffi.new("int *")
        with self._h as cache:
            _call.ok(lib.vg_cache_invalidate_scope(out, cache, sc), None, self._lang)
        return int(out[0])

    def set_threshold(self, threshold: float, scope: Optional[ScopeLike] = None) -> None:
        """Sets the threshold of a scope (None: the default of all); negative removes a
        scope's own."""
        keep: List[Any] = []
        sc = scope_struct(scope, keep)
        with self._h as cache:
            _call.ok(lib.vg_cache_set_threshold(cache, sc, float(threshold)), None, self._lang)

    def entries(self, scope: Optional[ScopeLike] = None) -> List[_t.CacheEntry]:
        """The live entries (of one scope, or all), by id."""
        keep: List[Any] = []
        sc = scope_struct(scope, keep)
        col = _call.Collector(lambda e: _t.from_c(_t.CacheEntry, e))
        with self._h as cache:
            rc = lib.vg_cache_list(cache, sc, _call.CACHE_ENTRY, col.handle)
            _call.ok(rc, None, self._lang)
        return col.result()

    def stats(self) -> _t.CacheStats:
        out = ffi.new("vg_cache_stats *")
        out.version = _constants.get("VG_CACHE_STATS_VERSION")
        with self._h as cache:
            _call.ok(lib.vg_cache_stats_get(out, cache), None, self._lang)
        return _t.from_c(_t.CacheStats, out)

    def begin(self, scope: ScopeLike, prompt: str,
              user_id: int = 0) -> Tuple[_t.CacheHit, Optional[Flight]]:
        """Starts work on a prompt, or finds it done: returns (hit, None) on a hit, else
        (miss, flight) where the caller generates and ends the flight. Waits for a
        near-duplicate in flight in this process; raises JobFailed when the same prompt
        failed within the negative TTL."""
        keep: List[Any] = []
        sc = scope_struct(scope, keep)
        out = ffi.new("vg_cache_flight **")
        hit = ffi.new("vg_cache_hit *")
        with self._h as cache:
            rc = lib.vg_cache_flight_begin(out, hit, cache, sc, _t.cstring(prompt), user_id)
            _call.ok(rc, None, self._lang)
        flight = Flight(self, out[0]) if out[0] != ffi.NULL else None
        return _t.from_c(_t.CacheHit, hit), flight


class CacheAPI(_call.Group):
    """The cache functions of an engine: open a cache, make embedders, the block cache."""

    __slots__ = ()

    def open(self, *, embedder: Optional[Embedder] = None, threshold: float = 0.0,
             second_gate: bool = True, shadow: bool = False, max_entries: int = 0,
             quantize: Union[_t.CacheQuantize, str] = _t.CacheQuantize.AUTO, threads: int = 0,
             flight_wait_ms: int = 0, negative_ttl_s: int = 0) -> Cache:
        """Opens the cache of the store and loads its entries (embedder None: local, 768)."""
        options = cache_options(embedder, threshold=threshold, second_gate=second_gate,
                                shadow=shadow, max_entries=max_entries, quantize=quantize,
                                threads=threads, flight_wait_ms=flight_wait_ms,
                                negative_ttl_s=negative_ttl_s)
        return Cache(self._engine, embedder, options)

    @staticmethod
    def normalize(prompt: str) -> str:
        return normalize(prompt)

    @staticmethod
    def local_embedder(dimension: int = 0) -> Embedder:
        return Embedder.local(dimension)

    def gemini_embedder(self, api_key: Optional[str] = None, model: Optional[str] = None,
                        dimension: int = 0) -> Embedder:
        """Gemini's embedder (api_key None: the engine's); makes no network call yet."""
        out = ffi.new("vg_embedder **")
        with self._h as ctx:
            _call.ok(lib.vg_embedder_gemini(out, ctx, _t.cstring(api_key), _t.cstring(model),
                                            dimension), ctx)
        handle = Handle(out[0], lib.vg_embedder_free, "embedder", parents=[self._h])
        return Embedder(out[0], handle, engine=self._engine)

    def default_embedder(self) -> Embedder:
        """The engine's embedder: Gemini when it serves the engine, else local."""
        out = ffi.new("vg_embedder **")
        with self._h as ctx:
            _call.ok(lib.vg_embedder_default(out, ctx), ctx)
        handle = Handle(out[0], lib.vg_embedder_free, "embedder", parents=[self._h])
        return Embedder(out[0], handle, engine=self._engine)

    def block_put(self, prompt: str, reason: str, ttl_s: int = 0) -> None:
        """Remembers a moderation verdict for a prompt (ttl_s 0: 7 days)."""
        with self._h as ctx:
            _call.ok(lib.vg_block_put(ctx, _t.cstring(prompt), _t.cstring(reason), ttl_s), ctx)

    def block_get(self, prompt: str) -> Optional[str]:
        """The live verdict's reason for a prompt, or None when it is not blocked."""
        buf = ffi.new("char[]", 64)
        with self._h as ctx:
            rc = lib.vg_block_get(buf, 64, ctx, _t.cstring(prompt))
            if rc == lib.VG_ENOTFOUND:
                return None
            _call.ok(rc, ctx)
        return ffi.string(buf).decode("ascii")


def cache_options(embedder: Optional[Embedder], **kw: Any) -> Any:
    """A vg_cache_options * (the embedder struct is copied by the library)."""
    options = ffi.new("vg_cache_options *")
    _call.ok(lib.vg_cache_options_init(options, _constants.get("VG_CACHE_OPTIONS_VERSION")))
    if embedder is not None:
        options.embedder = embedder._struct
    options.threshold = float(kw.get("threshold", 0.0))
    options.second_gate = 1 if kw.get("second_gate", True) else 0
    options.shadow = 1 if kw.get("shadow", False) else 0
    options.max_entries = int(kw.get("max_entries", 0))
    options.quantize = int(_t.to_enum(_t.CacheQuantize, kw.get("quantize", 0)))
    options.threads = int(kw.get("threads", 0))
    options.flight_wait_ms = int(kw.get("flight_wait_ms", 0))
    options.negative_ttl_s = int(kw.get("negative_ttl_s", 0))
    return options


__all__ = ["Cache", "CacheAPI", "Embedder", "Flight", "normalize", "ClosedError", "NotFound"]
