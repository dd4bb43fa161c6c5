"""HTML forms ⇄ records: what the user typed is kept as typed, and every problem is put next to its field.

Validation is the domain's own (``matching.Profile``, :func:`graphsvc.domain.validate_node`); this module only
maps form fields to record fields and pydantic's located errors back to form fields, in Japanese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from graphsvc.domain.codec import problems_from_validation
from graphsvc.domain.enums import CapacityUnit, NodeLabel, OpportunityKind, Sector, VenueKind, Weekday
from graphsvc.domain.errors import Problem
from graphsvc.domain.values import ScheduleSlot
from matching.records import Profile, TravelMode
from matching.vocabulary import default_vocabulary

__all__ = [
    "LIMIT_ROWS",
    "LIST_FIELDS",
    "SLOT_ROWS",
    "FormState",
    "limit_rows",
    "opportunity_from_form",
    "opportunity_to_form",
    "profile_from_form",
    "profile_to_form",
    "venue_from_form",
    "venue_to_form",
]

SLOT_ROWS = 5
LIST_FIELDS = ("experience", "skills", "interests", "cannot_do", "avoid", "preferred_fields", "certificates")
_SPLIT = re.compile(r"[\n,、，;；]+")


@dataclass
class FormState:
    """The values as typed (str or list of str per field) and the Japanese messages per field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def v(self, name: str) -> str:
        got = self.values.get(name, "")
        return got[0] if isinstance(got, list) and got else got if isinstance(got, str) else ""

    def many(self, name: str) -> list[str]:
        got = self.values.get(name, [])
        return list(got) if isinstance(got, list) else [got] if got else []

    def add(self, name: str, message: str) -> None:
        msgs = self.errors.setdefault(name, [])
        if message not in msgs:
            msgs.append(message)

    @property
    def ok(self) -> bool:
        return not self.errors

    @classmethod
    def from_body(cls, body: Mapping[str, Sequence[str]], multi: Sequence[str] = ()) -> FormState:
        vals: dict[str, Any] = {}
        for k, vs in body.items():
            if k == "csrf":
                continue
            vals[k] = list(vs) if k in multi else (vs[-1] if vs else "")
        return cls(vals)


def _list(text: str) -> list[str]:
    return [t.strip() for t in _SPLIT.split(unicodedata.normalize("NFKC", text)) if t.strip()]


def _opt(text: str) -> str | None:
    t = unicodedata.normalize("NFKC", text).strip()
    return t or None


def _slots(form: FormState, prefix: str, where: str) -> list[dict[str, str]]:
    """Rows ``{prefix}_weekday_i`` / ``_opens_i`` / ``_closes_i``; each row validated on its own."""
    out: list[dict[str, str]] = []
    for i in range(SLOT_ROWS):
        wd, op, cl = (form.v(f"{prefix}_{k}_{i}").strip() for k in ("weekday", "opens", "closes"))
        if not (wd or op or cl):
            continue
        name = f"{prefix}_{i}"
        if not (wd and op and cl):
            form.add(name, f"{where}{i + 1}行目: 曜日・開始・終了をすべて指定してください")
            continue
        try:
            slot = ScheduleSlot.model_validate({"weekday": wd, "opens": op, "closes": cl})
        except ValidationError as err:
            for p in problems_from_validation(err):
                form.add(name, f"{where}{i + 1}行目: {p.message_ja}")
            continue
        out.append({"weekday": slot.weekday.value, "opens": slot.opens, "closes": slot.closes})
    return out


def _slots_to_form(values: dict[str, Any], prefix: str, slots: Sequence[Mapping[str, Any]]) -> None:
    for i, s in enumerate(list(slots)[:SLOT_ROWS]):
        values[f"{prefix}_weekday_{i}"] = str(s.get("weekday", ""))
        values[f"{prefix}_opens_{i}"] = str(s.get("opens", ""))
        values[f"{prefix}_closes_{i}"] = str(s.get("closes", ""))


def _place(form: FormState, problems: Sequence[Problem], mapping: Callable[[str], str]) -> None:
    for p in problems:
        form.add(mapping(p.field or ""), p.message_ja)


# ------------------------------------------------------------------ participation profile

PROFILE_MULTI = (
    "needs",
    "travel_modes",
    "consent_host_kinds",
    "consent_opportunity_kinds",
    "contact_preferred",
    "contact_refused",
)
LIMIT_ROWS = 5
"""Empty limit rows the form shows at least (a profile with more limits gets one empty row after its own)."""
_PROFILE_SIMPLE = (
    "min_hours_per_session",
    "max_hours_per_session",
    "max_hours_per_week",
    "max_days_per_week",
    "max_physical_load",
    "contact_comfort",
    "readiness",
)


def profile_to_form(profile: Mapping[str, Any] | None) -> FormState:
    p = dict(profile or {})
    vals: dict[str, Any] = {}
    vocab = default_vocabulary()
    needs: list[str] = []
    for n in p.get("needs", []):
        needs.extend(sorted({n} if n in vocab.needs else vocab.lookup(str(n), "needs")))
    vals["needs"] = needs
    for k in LIST_FIELDS:
        vals[k] = "\n".join(str(x) for x in p.get(k, []))
    for k in _PROFILE_SIMPLE:
        vals[k] = "" if p.get(k) is None else str(p[k])
    for k, default in (("max_physical_load", "5"), ("contact_comfort", "3"), ("readiness", "3")):
        vals[k] = vals[k] or default
    _slots_to_form(vals, "tw", p.get("time_windows", []))
    travel = dict(p.get("travel") or {})
    vals["travel_modes"] = [str(TravelMode.coerce(m)) for m in travel.get("modes", ["walk"])]
    vals["travel_max_km"] = "" if travel.get("max_km") is None else str(travel["max_km"])
    vals["travel_max_minutes"] = "" if travel.get("max_minutes") is None else str(travel["max_minutes"])
    consent = dict(p.get("consent") or {})
    vals["consent_all_hosts"] = "1" if consent.get("all_hosts") else ""
    vals["consent_host_kinds"] = list(consent.get("host_kinds", []))
    vals["consent_host_ids"] = "\n".join(consent.get("host_ids", []))
    vals["consent_opportunity_kinds"] = [str(k) for k in consent.get("opportunity_kinds", [])]
    vals["free_text"] = p.get("free_text") or ""
    vals["home_only"] = "1" if p.get("home_only") else ""
    vals["no_time_now"] = "1" if p.get("no_time_now") else ""
    channels = dict(p.get("contact_channels") or {})
    vals["contact_preferred"] = [str(c) for c in channels.get("preferred", [])]
    vals["contact_refused"] = [str(c) for c in channels.get("refused", [])]
    limits = list(p.get("limits") or [])
    vals["lim_rows"] = str(max(LIMIT_ROWS, len(limits) + 1))
    for i, lim in enumerate(limits):
        vals[f"lim_what_{i}"] = str(lim.get("what") or "")
        vals[f"lim_strength_{i}"] = str(lim.get("strength") or "soft")
        vals[f"lim_unless_{i}"] = str(lim.get("unless") or "")
    return FormState(vals)


def limit_rows(form: FormState) -> int:
    """How many limit rows the form carries (at least :data:`LIMIT_ROWS`, at most 100)."""
    try:
        n = int(form.v("lim_rows") or LIMIT_ROWS)
    except ValueError:
        n = LIMIT_ROWS
    return min(100, max(LIMIT_ROWS, n))


def _limits(form: FormState) -> list[dict[str, str]]:
    """Rows ``lim_what_i`` / ``lim_strength_i`` / ``lim_unless_i``; a row with only an exception is an error."""
    out: list[dict[str, str]] = []
    for i in range(limit_rows(form)):
        what = _opt(form.v(f"lim_what_{i}"))
        unless = _opt(form.v(f"lim_unless_{i}"))
        strength = form.v(f"lim_strength_{i}").strip() or "soft"
        if what is None:
            if unless is not None:
                form.add(f"lim_{i}", f"制約 {i + 1}行目: 例外の条件だけでなく制約の内容も書いてください")
            continue
        if strength not in ("hard", "soft"):
            form.add(f"lim_{i}", f"制約 {i + 1}行目: 強さは「できない」か「苦手」を選んでください")
            continue
        out.append({"what": what, "strength": strength, **({"unless": unless} if unless else {})})
    return out


def _profile_field(loc: str) -> str:
    top = loc.split(".")[0]
    if top in ("travel", "consent"):
        parts = loc.split(".")
        return f"{top}_{parts[1]}" if len(parts) > 1 else f"{top}_modes" if top == "travel" else "consent"
    if top == "time_windows":
        return "tw_0"
    if top == "contact_channels":
        parts = loc.split(".")
        return f"contact_{parts[1]}" if len(parts) > 1 else "contact_preferred"
    if top == "limits":
        parts = loc.split(".")
        return f"lim_{parts[1]}" if len(parts) > 1 and parts[1].isdigit() else "lim_0"
    return top or "_form"


_PROFILE_FORM_FIELDS = frozenset(
    {
        "needs",
        *LIST_FIELDS,
        *_PROFILE_SIMPLE,
        "time_windows",
        "travel",
        "consent",
        "free_text",
        "home_only",
        "no_time_now",
        "contact_channels",
        "limits",
        "schema_version",
    }
)
"""Profile fields the form shows; every other stored field (id, home, age, past placements, fields added later)
is kept as stored when the form is saved."""


def profile_from_form(form: FormState, stored: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The profile dict to store, or None with ``form.errors`` filled (fields the form does not show are kept)."""
    data: dict[str, Any] = {k: v for k, v in dict(stored or {}).items() if k not in _PROFILE_FORM_FIELDS}
    data["needs"] = form.many("needs")
    for k in LIST_FIELDS:
        data[k] = _list(form.v(k))
    for k in _PROFILE_SIMPLE:
        val = _opt(form.v(k))
        if val is not None:
            data[k] = val
    data["time_windows"] = _slots(form, "tw", "参加できる時間帯 ")
    data["travel"] = {
        "modes": form.many("travel_modes"),
        **({"max_km": v} if (v := _opt(form.v("travel_max_km"))) is not None else {}),
        **({"max_minutes": v} if (v := _opt(form.v("travel_max_minutes"))) is not None else {}),
    }
    data["consent"] = {
        "all_hosts": form.v("consent_all_hosts") == "1",
        "host_kinds": form.many("consent_host_kinds"),
        "host_ids": _list(form.v("consent_host_ids")),
        "opportunity_kinds": form.many("consent_opportunity_kinds"),
    }
    ft = form.v("free_text").strip()
    if ft:
        data["free_text"] = ft
    data["home_only"] = form.v("home_only") == "1"
    data["no_time_now"] = form.v("no_time_now") == "1"
    data["contact_channels"] = {
        "preferred": form.many("contact_preferred"),
        "refused": form.many("contact_refused"),
    }
    data["limits"] = _limits(form)
    try:
        prof = Profile.model_validate(data)
    except ValidationError as err:
        _place(form, problems_from_validation(err), _profile_field)
        return None
    if not form.ok:
        return None
    return prof.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


# ------------------------------------------------------------------ opportunities and venues

OPP_MULTI = ("sectors",)
VENUE_MULTI = ("sectors",)


def _resource_field(loc: str) -> str:
    if loc == "host_pair":
        return "host"
    parts = loc.split(".")
    top = parts[0]
    if top == "capacity":
        return f"cap_{parts[1]}" if len(parts) > 1 else "cap_available"
    if top == "location":
        return parts[1] if len(parts) > 1 and parts[1] in ("lat", "lon") else "lat"
    if top in ("host_id", "host_label"):
        return "host"
    if top == "schedule":
        return "sl_0"
    return top or "_form"


def _common_to_form(d: Mapping[str, Any], vals: dict[str, Any]) -> None:
    vals["sectors"] = [str(s) for s in d.get("sectors", [])]
    vals["area_id"] = d.get("area_id") or ""
    loc = d.get("location") or {}
    vals["lat"] = "" if loc.get("lat") is None else str(loc["lat"])
    vals["lon"] = "" if loc.get("lon") is None else str(loc["lon"])
    sched = d.get("schedule") or {}
    _slots_to_form(vals, "sl", sched.get("slots", []))
    vals["schedule_note"] = sched.get("note") or ""
    cap = d.get("capacity") or {}
    vals["cap_maximum"] = "" if cap.get("maximum") is None else str(cap["maximum"])
    vals["cap_available"] = "" if cap.get("available") is None else str(cap["available"])
    vals["cap_unit"] = str(cap.get("unit") or CapacityUnit.PERSONS.value)


def _common_from_form(form: FormState, data: dict[str, Any]) -> None:
    data["sectors"] = form.many("sectors")
    if (a := _opt(form.v("area_id"))) is not None:
        data["area_id"] = a
    lat, lon = _opt(form.v("lat")), _opt(form.v("lon"))
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            form.add("lat", "緯度と経度は両方指定してください")
        else:
            data["location"] = {"lat": lat, "lon": lon}
    slots = _slots(form, "sl", "曜日・時間 ")
    note = _opt(form.v("schedule_note"))
    if slots or note:
        data["schedule"] = {"slots": slots, **({"note": note} if note else {})}
    mx, av = _opt(form.v("cap_maximum")), _opt(form.v("cap_available"))
    if mx is not None:
        data["capacity"] = {
            "maximum": mx,
            "unit": form.v("cap_unit") or CapacityUnit.PERSONS.value,
            **({"available": av} if av is not None else {}),
        }
    elif av is not None:
        form.add("cap_maximum", "空きを指定するときは定員も指定してください")


def _validate(label: NodeLabel, form: FormState, data: dict[str, Any]) -> dict[str, Any] | None:
    from graphsvc.domain.records import NODE_MODELS

    try:
        rec = NODE_MODELS[label].model_validate(data)
    except ValidationError as err:
        probs = [
            Problem(p.message_ja, p.message_en, field="host_pair")
            if not p.field and "受け入れ先" in p.message_ja
            else p
            for p in problems_from_validation(err)
        ]
        _place(form, probs, _resource_field)
        return None
    if not form.ok:
        return None
    return rec.model_dump(mode="json", exclude_none=True)


def opportunity_to_form(d: Mapping[str, Any]) -> FormState:
    vals: dict[str, Any] = {
        "id": d.get("id", ""),
        "title": d.get("title", ""),
        "kind": str(d.get("kind") or OpportunityKind.PETIT_WORK.value),
        "host": f"{d['host_label']}:{d['host_id']}" if d.get("host_id") else "",
        "description": d.get("description") or "",
        "hours_per_session": "" if d.get("hours_per_session") is None else str(d["hours_per_session"]),
        "difficulty": str(d.get("difficulty", 1)),
        "contact_load": str(d.get("contact_load", 1)),
        "physical_load": str(d.get("physical_load", 1)),
        "skills_wanted": "\n".join(d.get("skills_wanted", [])),
        "support": "\n".join(d.get("support", [])),
        "provides": "\n".join(d.get("provides", [])),
        "contact_person": d.get("contact_person") or "",
        "remote": "1" if d.get("remote") else "",
    }
    _common_to_form(d, vals)
    return FormState(vals)


def opportunity_from_form(form: FormState, existing: Mapping[str, Any] | None) -> dict[str, Any] | None:
    data: dict[str, Any] = {
        k: v for k, v in dict(existing or {}).items() if k in ("accessibility",)
    }  # fields the form does not show are kept
    data["id"] = form.v("id").strip()
    data["title"] = form.v("title").strip()
    data["kind"] = form.v("kind")
    host = form.v("host")
    if host:
        label, _, hid = host.partition(":")
        data["host_label"], data["host_id"] = label, hid
    for k in ("description", "hours_per_session", "contact_person"):
        if (v := _opt(form.v(k))) is not None:
            data[k] = v
    for k in ("difficulty", "contact_load", "physical_load"):
        data[k] = form.v(k) or "1"
    for k in ("skills_wanted", "support", "provides"):
        data[k] = _list(form.v(k))
    data["remote"] = form.v("remote") == "1"
    _common_from_form(form, data)
    return _validate(NodeLabel.OPPORTUNITY, form, data)


def venue_to_form(d: Mapping[str, Any]) -> FormState:
    vals: dict[str, Any] = {
        "id": d.get("id", ""),
        "name": d.get("name", ""),
        "kind": str(d.get("kind") or VenueKind.OTHER.value),
        "address": d.get("address") or "",
        "activities": "\n".join(d.get("activities", [])),
    }
    _common_to_form(d, vals)
    return FormState(vals)


def venue_from_form(form: FormState, existing: Mapping[str, Any] | None) -> dict[str, Any] | None:
    data: dict[str, Any] = {}
    data["id"] = form.v("id").strip()
    data["name"] = form.v("name").strip()
    data["kind"] = form.v("kind")
    if (v := _opt(form.v("address"))) is not None:
        data["address"] = v
    data["activities"] = _list(form.v("activities"))
    _common_from_form(form, data)
    return _validate(NodeLabel.VENUE, form, data)


CHOICES: dict[str, list[tuple[str, str]]] = {
    "weekday": [(w.value, w.ja) for w in Weekday],
    "sector": [(s.value, s.ja) for s in Sector],
    "opportunity_kind": [(k.value, k.ja) for k in OpportunityKind],
    "venue_kind": [(k.value, k.ja) for k in VenueKind],
    "capacity_unit": [(u.value, u.ja) for u in CapacityUnit],
    "travel_mode": [(m.value, m.ja) for m in TravelMode],
    "host_kind": [("Employer", "企業・事業所"), ("Venue", "居場所・通いの場"), ("Agency", "支援関係機関")],
    "channel": [
        ("phone", "電話"),
        ("email", "メール"),
        ("line", "LINE"),
        ("visit", "訪問・来所"),
        ("letter", "郵便"),
    ],
    "limit_strength": [("hard", "できない (含む参加先は除外)"), ("soft", "苦手・避けたい (減点)")],
}


def needs_choices() -> list[tuple[str, str]]:
    return [(c.id, c.ja) for c in default_vocabulary().needs.values()]
