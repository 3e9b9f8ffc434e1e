# SPDX-License-Identifier: MIT
"""engine.providers: configuration and checks, moderation, prompt enhancement, embeddings,
and provider tasks (submit, poll, cancel, reconcile), Pollo webhooks
(include/vidgo/providers.h). Calls that reach a provider release the GIL while they wait."""
from __future__ import annotations

import datetime as _dt
from typing import Any, List, Optional, Union

from . import _call
from . import constants as _constants
from . import types as _t
from ._ffi import ffi, lib
from .cache import CacheAPI, Embedder


def provider_names() -> List[str]:
    """Every provider's name, in vg_provider_id order ("local", "gemini", ...)."""
    return [_t.text(lib.vg_provider_name(i)) for i in range(_constants.get("VG_PROVIDER_COUNT"))]


def capabilities() -> List[_t.ProviderCapability]:
    """The capability table: which provider serves which task kind, primary or fallback."""
    col = _call.Collector(lambda row: _t.from_c(_t.ProviderCapability, row))
    _call.ok(lib.vg_provider_capabilities(_call.CAPABILITY, col.handle))
    return col.result()


def _task_struct(task: _t.ProviderTask, keep: List[Any]) -> Any:
    out = ffi.new("vg_provider_task *")
    out.version = _constants.get("VG_PROVIDER_TASK_VERSION")
    keep.append(out)
    _t.to_c(task, out, keep)
    if task.input_image is not None:
        image = ffi.from_buffer("unsigned char[]", task.input_image)
        keep.append(image)
        out.input_image = image
        out.input_image_len = len(task.input_image)
    return out


def _job_struct(job: Optional[_t.ProviderJob]) -> Any:
    out = ffi.new("vg_provider_job *")
    _call.ok(lib.vg_provider_job_init(out, _constants.get("VG_PROVIDER_JOB_VERSION")))
    if job is not None:
        _t.to_c(job, out, [])
    return out


class Providers(_call.Group):
    """The providers behind the services."""

    __slots__ = ()

    names = staticmethod(provider_names)
    capabilities = staticmethod(capabilities)

    def _info(self, fn: Any, name: str) -> _t.ProviderInfo:
        out = ffi.new("vg_provider_info *")
        out.version = _constants.get("VG_PROVIDER_INFO_VERSION")
        with self._h as ctx:
            _call.ok(fn(out, ctx, _t.cstring(name)), ctx)
        return _t.from_c(_t.ProviderInfo, out)

    def info(self, name: str) -> _t.ProviderInfo:
        """How a provider is configured (no network call); the key is never shown."""
        return self._info(lib.vg_provider_info_get, name)

    def list(self) -> List[_t.ProviderInfo]:
        """info() of every provider."""
        return [self.info(name) for name in provider_names()]

    def check(self, name: str) -> _t.ProviderInfo:
        """info() plus one cheap authenticated request (``reachable``, ``latency_ms``,
        ``status``, ``detail``)."""
        return self._info(lib.vg_provider_check, name)

    def pick(self, kind: Union[_t.TaskKind, str], rank: int = 0) -> Optional[str]:
        """The provider that serves a task kind for this engine (rank 0: primary, 1:
        fallback), or None when there is none at that rank."""
        size = _constants.get("VG_NAME_SIZE")
        buf = ffi.new("char[]", size)
        with self._h as ctx:
            rc = lib.vg_provider_pick(buf, ctx, int(_t.to_enum(_t.TaskKind, kind)), rank)
            if rc == lib.VG_ENOTFOUND:
                return None
            _call.ok(rc, ctx)
        return ffi.string(buf).decode("ascii")

    # --- moderation, enhancement, embeddings -------------------------------------------

    def moderate(self, prompt: str, *, image: Optional[bytes] = None,
                 image_mime: Optional[str] = None, lang: Optional[str] = None) -> _t.Moderation:
        """May this prompt (and product image) be generated? ``blocked`` says; the message
        is in ``lang`` (None: the engine's)."""
        out = ffi.new("vg_moderation *")
        out.version = _constants.get("VG_MODERATION_VERSION")
        img = ffi.from_buffer("unsigned char[]", image) if image is not None else ffi.NULL
        with self._h as ctx:
            _call.ok(lib.vg_moderate(out, ctx, _t.cstring(prompt), img,
                                     len(image) if image is not None else 0,
                                     _t.cstring(image_mime), _t.cstring(lang)), ctx)
        return _t.from_c(_t.Moderation, out)

    def moderation_message(self, reason: str, lang: Optional[str] = None) -> Optional[str]:
        """The user-facing message of a moderation reason ("adult", ...), or None."""
        with self._h as ctx:
            raw = lib.vg_moderation_message(ctx, _t.cstring(reason), _t.cstring(lang))
        return None if raw == ffi.NULL else _t.text(raw)

    def enhance(self, prompt: str, lang: Optional[str] = None) -> _t.Enhanced:
        """An English product-ad prompt that keeps the user's intent."""
        size = 16384
        buf = ffi.new("char[]", size)
        provider = ffi.new("const char **")
        with self._h as ctx:
            _call.ok(lib.vg_prompt_enhance(buf, size, provider, ctx, _t.cstring(prompt),
                                           _t.cstring(lang)), ctx)
        return _t.Enhanced(_t.text(buf), _t.text(provider[0]))

    def embedder(self) -> Embedder:
        """The engine's embedder (Gemini when it serves, else local)."""
        return CacheAPI(self._engine).default_embedder()

    def embed(self, prompts: Union[str, List[str]],
              embedder: Optional[Embedder] = None) -> List[List[float]]:
        """Embeds prompts with an embedder (None: the engine's, freed afterwards)."""
        if embedder is not None:
            return embedder.embed(prompts)
        own = self.embedder()
        try:
            return own.embed(prompts)
        finally:
            own.close()

    # --- tasks --------------------------------------------------------------------------

    def submit(self, provider: str, task: _t.ProviderTask) -> _t.ProviderJob:
        """Submits a task to a provider ("local" offline); returns the provider job.
        A request that may have reached the provider is never resent: OutcomeUnknown."""
        keep: List[Any] = []
        t = _task_struct(task, keep)
        out = _job_struct(None)
        with self._h as ctx:
            _call.ok(lib.vg_provider_submit(out, ctx, _t.cstring(provider), t), ctx)
        return _t.from_c(_t.ProviderJob, out)

    def poll(self, job: _t.ProviderJob) -> _t.ProviderJob:
        """Asks the provider how a job stands (a FAILED job is an answer, not an error)."""
        out = _job_struct(job)
        with self._h as ctx:
            _call.ok(lib.vg_provider_poll(out, ctx), ctx)
        return _t.from_c(_t.ProviderJob, out)

    def cancel(self, provider: str, job_id: str) -> None:
        """Asks the provider to cancel a job (Unsupported if it cannot)."""
        with self._h as ctx:
            _call.ok(lib.vg_provider_cancel(ctx, _t.cstring(provider), _t.cstring(job_id)), ctx)

    def reconcile(self, provider: str, task: _t.ProviderTask,
                  since: _dt.datetime) -> Optional[_t.ProviderJob]:
        """After OutcomeUnknown: the job the submit may have created, or None when the
        provider certainly has none (submitting again is safe). Unsupported when the
        provider cannot tell."""
        keep: List[Any] = []
        t = _task_struct(task, keep)
        out = _job_struct(None)
        with self._h as ctx:
            rc = lib.vg_provider_reconcile(out, ctx, _t.cstring(provider), t,
                                           _t.to_vg_time(since))
            if rc == lib.VG_ENOTFOUND:
                return None
            _call.ok(rc, ctx)
        return _t.from_c(_t.ProviderJob, out)

    def pollo_webhook_verify(self, webhook_id: str, timestamp: str, signature: str,
                             body: bytes, *, secret: Optional[str] = None,
                             mode: Union[_t.WebhookKeyMode, str] = _t.WebhookKeyMode.RAW,
                             tolerance_s: int = 0,
                             kind: Optional[_t.TaskKind] = None) -> _t.ProviderJob:
        """Verifies a Pollo webhook (raises SignatureError, ReplayError, ...) and returns
        the job it reports. ``kind`` IMAGE_TO_VIDEO keeps that kind (else text-to-video)."""
        out = _job_struct(None)
        if kind is not None:
            out.kind = int(kind)
        raw = bytes(body)
        with self._h as ctx:
            _call.ok(lib.vg_pollo_webhook_verify(
                out, ctx, _t.cstring(webhook_id), _t.cstring(timestamp), _t.cstring(signature),
                raw, len(raw), _t.cstring(secret), int(_t.to_enum(_t.WebhookKeyMode, mode)),
                tolerance_s), ctx)
        return _t.from_c(_t.ProviderJob, out)

    # --- names ----------------------------------------------------------------------------

    @staticmethod
    def index(name: str) -> int:
        """The id of a provider name, or -1."""
        return int(lib.vg_provider_index(_t.cstring(name)))

    @staticmethod
    def task_kind_name(kind: Union[_t.TaskKind, int]) -> Optional[str]:
        raw = lib.vg_task_kind_name(int(kind))
        return None if raw == ffi.NULL else _t.text(raw)

    @staticmethod
    def task_kind_index(name: str) -> int:
        return int(lib.vg_task_kind_index(_t.cstring(name)))

    @staticmethod
    def task_state_name(state: Union[_t.TaskState, int]) -> Optional[str]:
        raw = lib.vg_task_state_name(int(state))
        return None if raw == ffi.NULL else _t.text(raw)
