"""Hard constraints: an opening that fails one is excluded, with a reason code and a Japanese message.

Each constraint is a vectorised test over an :class:`~matching.index.OpeningIndex`; :func:`evaluate` returns one
boolean "fails" mask per :class:`Reason`. An opening can fail several; the order of :class:`Reason` is the order
a coordinator reads them in (no capacity first: nothing else matters then). :func:`pair_reasons` is the same
test for one pair in plain Python (the per-pair baseline), and :func:`detail` words one failure with numbers.

Travel limits do not apply to remote openings (在宅) nor to a place to live (一時的住まい: the person moves
there). When the person accepts 送迎 and the host offers it, the distance limit (which is about the person's
own travel) does not apply and the time limit is checked against the drive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matching.factors import ProfileVector, meets, presence, travel_arrays, travel_scalar
from matching.index import HOST_KINDS, KINDS, OpeningIndex
from matching.labels import Labeled, set_labels
from matching.text import normalize

__all__ = ["Constraints", "Reason", "detail", "evaluate", "pair_reasons"]

_EPS = 1e-9
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Reason(Labeled):
    """Reason codes of exclusion; ``.ja`` is the message a coordinator reads."""

    CAPACITY = "capacity"
    CONSENT = "consent"
    ELIGIBILITY = "eligibility"
    NO_TIME_NOW = "no_time_now"
    HOME_ONLY = "home_only"
    CANNOT_DO = "cannot_do"
    PHYSICAL_LOAD = "physical_load"
    SESSION_HOURS = "session_hours"
    SESSION_TOO_SHORT = "session_too_short"
    WEEKLY_HOURS = "weekly_hours"
    DAYS_PER_WEEK = "days_per_week"
    SCHEDULE = "schedule"
    DISTANCE = "distance"
    TRAVEL_TIME = "travel_time"


set_labels(
    Reason,
    {
        "capacity": ("定員に空きがない", "no capacity left"),
        "consent": ("同意の範囲外", "outside the person's consent"),
        "eligibility": ("対象要件を満たさない", "eligibility not met"),
        "no_time_now": ("今は参加できる時間がない", "the person has no time to offer now"),
        "home_only": ("在宅のみの参加を希望 (移動を伴う)", "the person takes part from home only"),
        "cannot_do": ("本人ができないとしている作業を含む", "involves something the person cannot do"),
        "physical_load": ("身体負荷が上限を超える", "physical load above the person's limit"),
        "session_hours": ("1回の時間が上限を超える", "session longer than the person's maximum"),
        "session_too_short": (
            "1回の時間が希望の最短時間に満たない",
            "session shorter than the person's minimum",
        ),
        "weekly_hours": ("週の時間が上限を超える", "weekly hours above the person's maximum"),
        "days_per_week": ("週の日数が上限を超える", "more days per week than the person can attend"),
        "schedule": ("時間帯が合わない", "no scheduled time fits the person's time windows"),
        "distance": ("移動距離が上限を超える", "farther than the person's distance limit"),
        "travel_time": ("移動時間が上限を超える", "travel time above the person's limit"),
    },
)


@dataclass(frozen=True)
class Constraints:
    """Fail masks per reason over an index, and the travel arrays they were computed from."""

    fails: dict[Reason, np.ndarray]
    km: np.ndarray
    minutes: np.ndarray
    uses_pickup: np.ndarray

    @property
    def excluded(self) -> np.ndarray:
        out = np.zeros_like(self.km, dtype=bool)
        for m in self.fails.values():
            out |= m
        return out

    def counts(self) -> dict[Reason, int]:
        """How many openings fail each reason (an opening may count under several)."""
        return {r: int(m.sum()) for r, m in self.fails.items() if m.any()}

    def reasons_of(self, i: int) -> list[Reason]:
        return [r for r, m in self.fails.items() if m[i]]


def _fits_schedule(pv: ProfileVector, index: OpeningIndex) -> np.ndarray:
    """Per opening: how many of its slots leave room for one session inside one of the person's windows."""
    n = len(index)
    if not pv.profile.time_windows or len(index.slot_owner) == 0:
        return np.full(n, np.iinfo(np.int64).max // 2, dtype=np.int64)
    sess = index.session_hours[index.slot_owner] * 60.0
    need = np.where(np.isnan(sess), index.slot_end - index.slot_start, sess)
    ok = np.zeros(len(index.slot_owner), dtype=bool)
    for w in pv.profile.time_windows:
        a, b = w.minutes
        day = _DAYS.index(w.weekday.value)
        overlap = np.minimum(index.slot_end, b) - np.maximum(index.slot_start, a)
        ok |= (index.slot_day == day) & (overlap >= need - _EPS)
    # Count distinct fitting weekdays per opening (a session a day).
    days = np.zeros((n, 7), dtype=bool)
    days[index.slot_owner[ok], index.slot_day[ok]] = True
    return days.sum(axis=1)


def evaluate(pv: ProfileVector, index: OpeningIndex) -> Constraints:
    """Evaluate every hard constraint for one person over the whole index (vectorised)."""
    p = pv.profile
    n = len(index)
    fails: dict[Reason, np.ndarray] = {}
    none = np.zeros(n, dtype=bool)

    fails[Reason.CAPACITY] = index.capacity_left <= 0
    c = p.consent
    if c.all_hosts:
        fails[Reason.CONSENT] = none
    else:
        ok = np.zeros(n, dtype=bool)
        if c.host_ids:
            ok |= np.isin(index.host_ids, list(c.host_ids))
        if c.host_kinds:
            ok |= np.isin(index.host_label_code, [HOST_KINDS.index(k) for k in c.host_kinds])
        if c.opportunity_kinds:
            ok |= np.isin(index.kind_code, [KINDS.index(k.value) for k in c.opportunity_kinds])
        fails[Reason.CONSENT] = ~ok
    elig = np.zeros(n, dtype=bool)
    if p.age is not None:
        elig |= (p.age < index.age_min) | (p.age > index.age_max)
    if index.requires.shape[1]:
        have = np.array([_has_certificate(pv, r) for r in index.requirement_names], dtype=bool)
        elig |= (index.requires & ~have).any(axis=1)
    fails[Reason.ELIGIBILITY] = elig
    if p.no_time_now:
        fails[Reason.NO_TIME_NOW] = ~index.relocation
    if p.home_only:
        fails[Reason.HOME_ONLY] = ~index.remote & ~index.relocation
    km, minutes, uses_pickup = travel_arrays(pv, index)
    cannot = (index.concepts @ pv.cannot_vec) > 0 if pv.cannot else none.copy()
    for concept, cond in pv.hard_structured:
        cannot = cannot | (
            presence(concept, pv, index, slice(None), km) & ~meets(cond, pv, index, slice(None), km)
        )
    fails[Reason.CANNOT_DO] = cannot
    fails[Reason.PHYSICAL_LOAD] = index.physical_load > p.max_physical_load
    h = index.session_hours
    known = ~np.isnan(h)
    hh = np.nan_to_num(h)
    if p.max_hours_per_session is not None:
        fails[Reason.SESSION_HOURS] = known & (hh > p.max_hours_per_session + _EPS)
    if p.min_hours_per_session is not None:
        fails[Reason.SESSION_TOO_SHORT] = known & (hh < p.min_hours_per_session - _EPS)
    if p.max_hours_per_week is not None:
        fails[Reason.WEEKLY_HOURS] = known & (hh * index.sessions_min > p.max_hours_per_week + _EPS)
    if p.max_days_per_week is not None:
        fails[Reason.DAYS_PER_WEEK] = index.sessions_min > p.max_days_per_week
    if p.time_windows:
        fails[Reason.SCHEDULE] = index.has_slots & (_fits_schedule(pv, index) < index.sessions_min)
    travels = ~index.remote & ~index.relocation & ~np.isnan(km)
    if p.travel.max_km is not None:
        fails[Reason.DISTANCE] = travels & ~uses_pickup & (km > p.travel.max_km + _EPS)
    if p.travel.max_minutes is not None:
        fails[Reason.TRAVEL_TIME] = travels & (minutes > p.travel.max_minutes + _EPS)
    ordered = {r: fails[r] for r in Reason if r in fails}
    return Constraints(fails=ordered, km=km, minutes=minutes, uses_pickup=uses_pickup)


def _has_certificate(pv: ProfileVector, requirement: str) -> bool:
    r = normalize(requirement)
    return any(r in c or c in r for c in pv.certificates if c)


def pair_reasons(pv: ProfileVector, index: OpeningIndex, i: int) -> list[Reason]:
    """The reasons one opening is excluded for one person, in plain Python (the per-pair baseline)."""
    o = index.openings[i]
    p = pv.profile
    out: list[Reason] = []
    if o.capacity_left is not None and o.capacity_left <= 0:
        out.append(Reason.CAPACITY)
    if not p.consent.allows(o.host_id, o.host_label, o.kind):
        out.append(Reason.CONSENT)
    e = o.eligibility
    if (
        p.age is not None
        and ((e.age_min is not None and p.age < e.age_min) or (e.age_max is not None and p.age > e.age_max))
    ) or any(not _has_certificate(pv, r) for r in e.requires):
        out.append(Reason.ELIGIBILITY)
    if p.no_time_now and o.kind.value != "temporary_housing":
        out.append(Reason.NO_TIME_NOW)
    if p.home_only and not o.remote and o.kind.value != "temporary_housing":
        out.append(Reason.HOME_ONLY)
    one = np.array([i])
    km1 = np.array([travel_scalar(pv, o, "pickup" in index.support_sets[i])[0]])
    if index.concept_sets[i] & pv.cannot or any(
        bool(presence(c, pv, index, one, km1)[0]) and not bool(meets(cond, pv, index, one, km1)[0])
        for c, cond in pv.hard_structured
    ):
        out.append(Reason.CANNOT_DO)
    if o.physical_load > p.max_physical_load:
        out.append(Reason.PHYSICAL_LOAD)
    h = o.session_hours
    if h is not None and p.max_hours_per_session is not None and h > p.max_hours_per_session + _EPS:
        out.append(Reason.SESSION_HOURS)
    if h is not None and p.min_hours_per_session is not None and h < p.min_hours_per_session - _EPS:
        out.append(Reason.SESSION_TOO_SHORT)
    if (
        h is not None
        and p.max_hours_per_week is not None
        and h * o.sessions_per_week_min > p.max_hours_per_week + _EPS
    ):
        out.append(Reason.WEEKLY_HOURS)
    if p.max_days_per_week is not None and o.sessions_per_week_min > p.max_days_per_week:
        out.append(Reason.DAYS_PER_WEEK)
    if p.time_windows and o.schedule is not None and o.schedule.slots:
        days: set[str] = set()
        for s in o.schedule.slots:
            a, b = s.minutes
            need = h * 60.0 if h is not None else float(b - a)
            for w in p.time_windows:
                wa, wb = w.minutes
                if w.weekday == s.weekday and min(b, wb) - max(a, wa) >= need - _EPS:
                    days.add(s.weekday.value)
        if len(days) < o.sessions_per_week_min:
            out.append(Reason.SCHEDULE)
    if not o.remote and o.kind.value != "temporary_housing":
        km, minutes, uses = travel_scalar(pv, o, "pickup" in index.support_sets[i])
        if not math.isnan(km):
            if p.travel.max_km is not None and not uses and km > p.travel.max_km + _EPS:
                out.append(Reason.DISTANCE)
            if p.travel.max_minutes is not None and minutes > p.travel.max_minutes + _EPS:
                out.append(Reason.TRAVEL_TIME)
    return out


def _cannot_source(concept: str, pv: ProfileVector, index: OpeningIndex) -> str:
    """Where the person said they cannot: the 「できないこと」 item or the 制約 (hard) that names the concept."""
    vocab = index.vocabulary
    p = pv.profile
    for item in p.cannot_do:
        if concept in vocab.lookup(item):
            return f" (できないこと「{item}」)"
    for lim in p.limits:
        if lim.strength == "hard" and lim.unless is None and concept in vocab.lookup(lim.what):
            return f" (制約「{lim.what}」: できない)"
    return ""


def detail(reason: Reason, pv: ProfileVector, index: OpeningIndex, i: int, cons: Constraints) -> str:
    """One failure in words, with the numbers that decided it (Japanese)."""
    o = index.openings[i]
    p = pv.profile
    match reason:
        case Reason.CAPACITY:
            return "空きが0です"
        case Reason.CONSENT:
            host = f"受け入れ先 {o.host_id} ({o.host_label})" if o.host_id else "受け入れ先 (未登録)"
            return f"{host}・種別「{o.kind.ja}」は本人の同意の範囲に含まれていません"
        case Reason.ELIGIBILITY:
            parts = []
            e = o.eligibility
            if p.age is not None and e.age_min is not None and p.age < e.age_min:
                parts.append(f"対象は{e.age_min}歳以上 (本人{p.age}歳)")
            if p.age is not None and e.age_max is not None and p.age > e.age_max:
                parts.append(f"対象は{e.age_max}歳以下 (本人{p.age}歳)")
            missing = [r for r in e.requires if not _has_certificate(pv, r)]
            if missing:
                parts.append("必要: " + "、".join(missing))
            return "、".join(parts)
        case Reason.NO_TIME_NOW:
            return "本人は今は参加できる時間がないとしています (時間の制限なしとは別)"
        case Reason.HOME_ONLY:
            return "本人は在宅のみの参加を希望しています。この参加先は通う必要があります"
        case Reason.CANNOT_DO:
            labels = [
                f"{index.vocabulary.label(c)}{_cannot_source(c, pv, index)}"
                for c in sorted(index.concept_sets[i] & pv.cannot)
            ]
            one = np.array([i])
            km1 = np.array([float(cons.km[i])])
            for c, cond in pv.hard_structured:
                if bool(presence(c, pv, index, one, km1)[0]) and not bool(
                    meets(cond, pv, index, one, km1)[0]
                ):
                    labels.append(f"{index.vocabulary.label(c)} (例外「{cond.text}」に当たらない)")
            return f"「{'・'.join(labels)}」を含みます"
        case Reason.PHYSICAL_LOAD:
            return f"身体負荷{o.physical_load}が上限{p.max_physical_load}を超えます"
        case Reason.SESSION_HOURS:
            return f"1回{o.session_hours:g}時間が上限{p.max_hours_per_session:g}時間を超えます"
        case Reason.SESSION_TOO_SHORT:
            return f"1回{o.session_hours:g}時間が希望の最短{p.min_hours_per_session:g}時間に満たない"
        case Reason.WEEKLY_HOURS:
            week = (o.session_hours or 0) * o.sessions_per_week_min
            return f"週{week:g}時間が上限{p.max_hours_per_week:g}時間を超えます"
        case Reason.DAYS_PER_WEEK:
            return f"週{o.sessions_per_week_min}日以上が必要で、上限{p.max_days_per_week}日を超えます"
        case Reason.SCHEDULE:
            slots = "、".join(
                f"{s.weekday.ja}{s.opens}-{s.closes}" for s in (o.schedule.slots if o.schedule else ())
            )
            windows = "、".join(f"{w.weekday.ja}{w.opens}-{w.closes}" for w in p.time_windows)
            return f"実施 {slots} が本人の都合 {windows} に合いません"
        case Reason.DISTANCE:
            return f"自宅から{cons.km[i]:.1f}kmで、上限{p.travel.max_km:g}kmを超えます"
        case Reason.TRAVEL_TIME:
            return f"片道約{cons.minutes[i]:.0f}分で、上限{p.travel.max_minutes:g}分を超えます"
    return reason.ja  # pragma: no cover
