# SPDX-License-Identifier: MIT
"""Enums and dataclasses follow the headers: every C enum has its Python enum with the same
members and values, and every dataclass field names a field of its C struct."""
import dataclasses
import datetime as dt
import enum

import pytest

import vidgo
from vidgo import types as t
from vidgo._ffi import ffi

# Which C struct each result dataclass is read from.
STRUCTS = {
    t.Plan: "vg_plan", t.Service: "vg_service", t.Package: "vg_package", t.Access: "vg_access",
    t.User: "vg_user", t.Balance: "vg_balance", t.Hold: "vg_hold",
    t.LedgerEntry: "vg_ledger_entry", t.MaintenanceReport: "vg_maintenance_report",
    t.Session: "vg_session", t.Claims: "vg_claims", t.Email: "vg_email",
    t.CacheScope: "vg_cache_scope", t.CacheEntry: "vg_cache_entry", t.CacheHit: "vg_cache_hit",
    t.CacheStats: "vg_cache_stats", t.ProviderTask: "vg_provider_task",
    t.ProviderJob: "vg_provider_job", t.ProviderCapability: "vg_provider_capability",
    t.ProviderInfo: "vg_provider_info", t.Moderation: "vg_moderation", t.Job: "vg_job",
    t.Example: "vg_example", t.Topic: "vg_topic", t.Order: "vg_order",
    t.WebhookResult: "vg_webhook_result", t.Subscription: "vg_subscription",
    t.Promo: "vg_promo",
}


def header_enums():
    import re
    from vidgo import _cdef

    text = _cdef.load()[0]
    return [name for name in re.findall(r"typedef enum (\w+)", text) if name != "vg_status"]


def test_every_enum_of_the_headers_has_its_python_enum():
    assert sorted(header_enums()) == sorted(t.ENUMS)


@pytest.mark.parametrize("cname", sorted(t.ENUMS))
def test_enum_members_and_values_match_the_library(cname):
    cls, prefix = t.ENUMS[cname]
    elements = ffi.typeof(cname).relements
    expected = {name[len(prefix):]: value for name, value in elements.items()}
    assert {m.name: m.value for m in cls} == expected
    for name, value in elements.items():
        assert vidgo.constants.get(name) == value


def test_open_flags_come_from_the_constants():
    assert t.OpenFlags.CREATE == vidgo.constants.VG_OPEN_CREATE
    assert t.OpenFlags.READONLY == vidgo.constants.VG_OPEN_READONLY


@pytest.mark.parametrize("cls", list(STRUCTS), ids=lambda c: c.__name__)
def test_dataclass_fields_name_fields_of_their_struct(cls):
    cfields = dict(ffi.typeof(STRUCTS[cls]).fields)
    for f in dataclasses.fields(cls):
        if f.metadata.get("python_only"):
            continue
        assert f.metadata.get("c", f.name) in cfields, f"{cls.__name__}.{f.name}"
    assert dataclasses.fields(cls) and cls.__dataclass_params__.frozen


def test_results_are_frozen(engine):
    plan = engine.plans.get("pro")
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.rank = 9


def test_times_are_aware_datetimes_in_utc_and_zero_is_none():
    assert t.from_vg_time(0) is None
    when = t.from_vg_time(1_764_460_800_000_000)
    assert when == dt.datetime(2025, 11, 30, tzinfo=dt.timezone.utc) and when.tzinfo is dt.timezone.utc
    assert t.to_vg_time(when) == 1_764_460_800_000_000
    assert t.to_vg_time(dt.datetime(2025, 11, 30)) == 1_764_460_800_000_000  # naive = UTC
    tokyo = dt.timezone(dt.timedelta(hours=9))
    assert t.to_vg_time(dt.datetime(2025, 11, 30, 9, tzinfo=tokyo)) == 1_764_460_800_000_000


def test_enums_accept_names_values_and_members():
    assert t.to_enum(t.ProviderMode, "local") is t.ProviderMode.LOCAL
    assert t.to_enum(t.TaskKind, "text-to-video") is t.TaskKind.TEXT_TO_VIDEO
    assert t.to_enum(t.LogLevel, 2) is t.LogLevel.WARN
    with pytest.raises(ValueError):
        t.to_enum(t.ProviderMode, "cloud")


def test_enum_values_newer_than_the_binding_stay_ints():
    assert issubclass(t.JobState, enum.IntEnum) and t.JobState.SUCCEEDED.final
