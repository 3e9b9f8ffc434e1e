# SPDX-License-Identifier: MIT
"""engine.plans: plans, services, top-up packages and the access check (include/vidgo/plans.h)."""
from __future__ import annotations

from typing import Any, List, Optional

from . import _call
from . import constants as _constants
from . import types as _t
from ._ffi import ffi, lib


def _new(ctype: str, init: Any, version_name: str) -> Any:
    out = ffi.new(ctype + " *")
    _call.ok(init(out, _constants.get(version_name)))
    return out


class Plans(_call.Group):
    """Plans, services and packages as stored, and "may this user do this now?"."""

    __slots__ = ()

    # --- plans --------------------------------------------------------------------------

    def list(self) -> List[_t.Plan]:
        """Every plan, by rank."""
        col = _call.Collector(lambda p: _t.from_c(_t.Plan, p))
        with self._h as ctx:
            _call.ok(lib.vg_plans_list(ctx, _call.PLAN, col.handle), ctx)
        return col.result()

    def get(self, name: str) -> _t.Plan:
        """One plan by name; raises PlanUnknown."""
        out = _new("vg_plan", lib.vg_plan_init, "VG_PLAN_VERSION")
        with self._h as ctx:
            _call.ok(lib.vg_plan_get(out, ctx, _t.cstring(name)), ctx)
        return _t.from_c(_t.Plan, out)

    def put(self, plan: _t.Plan) -> None:
        """Creates or replaces a plan (use ``dataclasses.replace`` on one you read)."""
        rec = _new("vg_plan", lib.vg_plan_init, "VG_PLAN_VERSION")
        keep: List[Any] = []
        _t.to_c(plan, rec, keep)
        with self._h as ctx:
            _call.ok(lib.vg_plan_put(ctx, rec), ctx)

    # --- services -----------------------------------------------------------------------

    def services(self) -> List[_t.Service]:
        """Every service (internal ones included)."""
        col = _call.Collector(lambda s: _t.from_c(_t.Service, s))
        with self._h as ctx:
            _call.ok(lib.vg_services_list(ctx, _call.SERVICE, col.handle), ctx)
        return col.result()

    def service(self, name: str) -> _t.Service:
        """One service by name; raises ServiceUnknown."""
        out = _new("vg_service", lib.vg_service_init, "VG_SERVICE_VERSION")
        with self._h as ctx:
            _call.ok(lib.vg_service_get(out, ctx, _t.cstring(name)), ctx)
        return _t.from_c(_t.Service, out)

    def put_service(self, service: _t.Service) -> None:
        rec = _new("vg_service", lib.vg_service_init, "VG_SERVICE_VERSION")
        keep: List[Any] = []
        _t.to_c(service, rec, keep)
        with self._h as ctx:
            _call.ok(lib.vg_service_put(ctx, rec), ctx)

    # --- packages -----------------------------------------------------------------------

    def packages(self, plan: Optional[str] = None) -> List[_t.PackageOffer]:
        """Every active package as offered to ``plan`` (None: list prices), by credits."""
        def convert(offer: Any) -> _t.PackageOffer:
            return _t.PackageOffer(_t.from_c(_t.Package, offer.package),
                                   int(offer.discount_pct), int(offer.price_twd))

        col = _call.Collector(convert)
        with self._h as ctx:
            _call.ok(lib.vg_packages_list(ctx, _t.cstring(plan), _call.PACKAGE, col.handle), ctx)
        return col.result()

    def put_package(self, package: _t.Package) -> None:
        rec = _new("vg_package", lib.vg_package_init, "VG_PACKAGE_VERSION")
        keep: List[Any] = []
        _t.to_c(package, rec, keep)
        with self._h as ctx:
            _call.ok(lib.vg_package_put(ctx, rec), ctx)

    # --- access -------------------------------------------------------------------------

    def check_access(self, user_id: int, service: str, *, resolution: int = 0,
                     duration_s: int = 0, fps: int = 0) -> _t.Access:
        """May the user use the service with these parameters now? Returns the decision
        (``allowed``, ``reason``, ``price``, ...); raises only when it cannot decide
        (NotFound for no such user, ServiceUnknown, ...). ``access.raise_for_reason()``
        turns a refusal into its exception."""
        req = ffi.new("vg_access_request *")
        req.version = _constants.get("VG_ACCESS_REQUEST_VERSION")
        name = ffi.new("char[]", _t.cstring(service))  # alive until the call returns
        req.service = name
        req.resolution = resolution
        req.duration_s = duration_s
        req.fps = fps
        out = ffi.new("vg_access *")
        with self._h as ctx:
            _call.ok(lib.vg_access_check(out, ctx, user_id, req), ctx)
        return _t.from_c(_t.Access, out)
