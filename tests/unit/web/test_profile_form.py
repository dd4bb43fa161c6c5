"""The staff profile form carries every profile field: a schema-2 profile (在宅のみ, 今は時間がない, 連絡手段,
制約 with strength and exception) shown in the form and saved back unchanged is the same profile."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.web import forms
from graphsvc.web.forms import FormState
from matching.records import Profile

FULL: dict[str, Any] = {
    "id": "P-9001",
    "needs": ["役割", "居場所"],
    "experience": ["元美容師"],
    "skills": ["裁縫"],
    "interests": ["絵を描くこと"],
    "cannot_do": ["重い物"],
    "avoid": ["人混み"],
    "min_hours_per_session": 1.0,
    "max_hours_per_session": 2.0,
    "max_physical_load": 2,
    "contact_comfort": 2,
    "readiness": 2,
    "travel": {"modes": ["walk", "bus"], "max_km": 3.0},
    "home": {"lat": 35.0, "lon": 135.0},
    "age": 44,
    "consent": {"all_hosts": True},
    "free_text": "外出は無理だが、近所の公民館なら行ける。長時間は無理だけど、1時間くらいなら平気",
    "home_only": True,
    "contact_channels": {"preferred": ["email", "line"], "refused": ["phone"]},
    "limits": [
        {"what": "外出", "strength": "hard", "unless": "近所の公民館なら"},
        {"what": "長時間", "strength": "hard", "unless": "1時間くらいなら"},
        {"what": "人前で話す", "strength": "soft"},
    ],
    "past_placements": [{"opening_id": "O-0001", "outcome": "continued"}],
}


def _submit(form: FormState) -> FormState:
    """What a browser posts back for an unchanged form: every value as a list, as FormState.from_body gets it."""
    body: dict[str, list[str]] = {}
    for k, v in form.values.items():
        if isinstance(v, list):
            body[k] = [str(x) for x in v]
        elif v != "":
            body[k] = [str(v)]
    return FormState.from_body(body, forms.PROFILE_MULTI)


def _canon(d: dict[str, Any]) -> dict[str, Any]:
    return Profile.model_validate(d).model_dump(mode="json", exclude_none=True)


def test_schema2_profile_survives_form_round_trip() -> None:
    form = forms.profile_to_form(FULL)
    saved = forms.profile_from_form(_submit(form), stored=FULL)
    assert saved is not None, form.errors
    assert saved == _canon(FULL)
    assert saved["home_only"] is True
    assert saved["contact_channels"] == {"preferred": ["email", "line"], "refused": ["phone"]}
    assert saved["limits"][0] == {"what": "外出", "strength": "hard", "unless": "近所の公民館なら"}
    assert saved["limits"][2] == {"what": "人前で話す", "strength": "soft"}
    assert saved["schema_version"] == 2
    # and again: form of the saved profile saves to the same profile
    again = forms.profile_from_form(_submit(forms.profile_to_form(saved)), stored=saved)
    assert again == saved


def test_every_profile_field_is_in_the_round_trip() -> None:
    """A field added to Profile later must be added to FULL (and so to the form, or kept as stored)."""
    covered = set(FULL) | {"no_time_now", "time_windows", "max_hours_per_week", "max_days_per_week"}
    covered |= {"preferred_fields", "certificates", "schema_version"}
    assert set(Profile.model_fields) <= covered, set(Profile.model_fields) - covered
    form = forms.profile_to_form({"time_windows": [{"weekday": "tue", "opens": "13:00", "closes": "15:00"}]})
    saved = forms.profile_from_form(_submit(form), stored=None)
    assert saved is not None and saved["time_windows"] == [
        {"weekday": "tue", "opens": "13:00", "closes": "15:00"}
    ]


def test_no_time_now_round_trips_and_unknown_stored_fields_are_kept() -> None:
    prof = {"needs": [], "no_time_now": True, "limits": [], "certificates": ["普通自動車免許"]}
    saved = forms.profile_from_form(_submit(forms.profile_to_form(prof)), stored=prof)
    assert saved is not None
    assert saved["no_time_now"] is True and saved["home_only"] is False
    assert saved["certificates"] == ["普通自動車免許"]
    stored_v1 = {"needs": [], "skills": ["調理"]}  # a version-1 profile (no schema_version)
    saved_v1 = forms.profile_from_form(_submit(forms.profile_to_form(stored_v1)), stored=stored_v1)
    assert saved_v1 is not None and saved_v1["schema_version"] == 2 and saved_v1["limits"] == []


def test_more_limits_than_the_default_rows_are_all_kept() -> None:
    prof = {"limits": [{"what": f"制約{i}", "strength": "soft"} for i in range(8)]}
    form = forms.profile_to_form(prof)
    assert forms.limit_rows(form) == 9
    saved = forms.profile_from_form(_submit(form), stored=prof)
    assert saved is not None and [lim["what"] for lim in saved["limits"]] == [f"制約{i}" for i in range(8)]


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({"lim_unless_1": "近所なら"}, "lim_1", "制約 2行目: 例外の条件だけでなく"),
        ({"lim_what_0": "外出", "lim_strength_0": "never"}, "lim_0", "制約 1行目: 強さは"),
        (
            {"contact_preferred": ["phone"], "contact_refused": ["phone"]},
            "contact_preferred",
            "希望と不可の両方",
        ),
    ],
)
def test_bad_limit_and_channel_rows_are_errors_on_their_field(
    fields: dict[str, Any], where: str, message: str
) -> None:
    shown = forms.profile_to_form(None)
    shown.values.update(fields)
    form = _submit(shown)
    assert forms.profile_from_form(form, stored=None) is None
    assert any(message in m for m in form.errors.get(where, []) + form.errors.get("_form", [])), form.errors


def test_no_time_now_with_time_windows_is_refused_in_japanese() -> None:
    shown = forms.profile_to_form({"no_time_now": True})
    shown.values.update({"tw_weekday_0": "mon", "tw_opens_0": "09:00", "tw_closes_0": "12:00"})
    form = _submit(shown)
    assert forms.profile_from_form(form, stored=None) is None
    assert any("今は参加できる時間がない" in m for ms in form.errors.values() for m in ms), form.errors
