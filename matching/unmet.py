"""足りない参加メニュー: why the people waiting for 参加支援 have no feasible (or no good) opening, across the list.

For every person waiting, every opening is run through the hard constraints (:mod:`matching.constraints`) and
the scorer (:func:`matching.waiting.score_all`, the same ranking a coordinator's match uses). The report then
aggregates, over the people without a feasible opening and those without a good one (score ≥
:data:`~matching.waiting.GOOD_SCORE`):

* **binding constraints**: for each reason, the people for whom that single limit alone excludes at least one
  opening (every other limit is met there): the limit a new or changed opening would have to respect;
* **when they can come**: weekday × time of day (from the people's time windows);
* **session length, difficulty (readiness), contact load and physical load** each person can take, against the
  openings on offer;
* **distance and area**: the travel limit and the person's area;
* **skills and interests no opening uses** (vocabulary concepts, else the words as written);
* **missing menus**: probe openings (each weekday × time of day × length, the lightest loads, anywhere) run
  through the same constraints: 「火曜の午前に1時間の作業があれば7人の条件に合う」.

:func:`counts_only` is the community developer's view: numbers only, no person ids, and every count below the
small-cell threshold (the maps' :data:`~graphsvc.maps.geo.MIN_CELL_COUNT`) withheld.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphsvc.domain.enums import OpportunityKind, Weekday
from graphsvc.domain.records import Opportunity
from graphsvc.domain.values import Schedule, ScheduleSlot
from matching.constraints import Reason, evaluate
from matching.factors import profile_vector
from matching.index import OpeningIndex
from matching.records import Opening, Profile
from matching.vocabulary import default_vocabulary
from matching.waiting import GOOD_SCORE, Scores, score_all

__all__ = [
    "BANDS",
    "SMALL_CELL",
    "UnmetReport",
    "counts_only",
    "report_rows",
    "unmet_need",
]

SMALL_CELL = 5
"""Counts below this are withheld in the counts-only view (the same threshold as the maps' mesh cells)."""

BANDS: tuple[tuple[str, str, int, int], ...] = (
    ("early", "早朝 (〜9時)", 5 * 60, 9 * 60),
    ("morning", "午前 (9〜12時)", 9 * 60, 12 * 60),
    ("afternoon", "午後 (12〜17時)", 12 * 60, 17 * 60),
    ("evening", "夕方・夜 (17時〜)", 17 * 60, 22 * 60),
)
"""Times of day: (code, Japanese label, start minute, end minute)."""
_BAND_PROBE = {"early": ("07:00", "09:00"), "morning": ("09:00", "12:00"), "afternoon": ("13:00", "17:00"),
               "evening": ("17:00", "21:00")}  # fmt: skip
_DAYS = tuple(Weekday)
_SESSION_BINS: tuple[tuple[str, float], ...] = (
    ("1時間以内", 1.0),
    ("2時間以内", 2.0),
    ("3時間以内", 3.0),
    ("4時間以内", 4.0),
)
_KM_BINS: tuple[tuple[str, float], ...] = (("1km以内", 1.0), ("2km以内", 2.0), ("5km以内", 5.0))
_PROBE_HOURS = (1.0, 2.0, 3.0)


def _band_overlap(window: ScheduleSlot, band: tuple[str, str, int, int], need: int = 30) -> bool:
    a, b = window.minutes
    return min(b, band[3]) - max(a, band[2]) >= need


def _session_bin(h: float | None) -> str:
    if h is None:
        return "上限なし"
    for label, cap in _SESSION_BINS:
        if h <= cap + 1e-9:
            return label
    return "4時間超"


def _km_bin(p: Profile) -> str:
    if p.home_only:
        return "在宅のみ"
    km = p.travel.max_km
    if km is None:
        if p.travel.max_minutes is not None:
            return f"片道{p.travel.max_minutes:g}分以内"
        return "上限なし"
    for label, cap in _KM_BINS:
        if km <= cap + 1e-9:
            return label
    return "5km超"


@dataclass
class UnmetReport:
    """The waiting list against a catalogue (see the module docstring). Person ids appear only in the
    ``*_ids`` fields and :attr:`people`; :func:`counts_only` removes them."""

    n_waiting: int
    n_openings: int
    no_feasible_ids: list[str]
    no_good_ids: list[str]
    binding: dict[str, dict[str, Any]]
    availability: dict[str, dict[str, int]]
    any_time: int
    session: dict[str, int]
    readiness: dict[str, int]
    contact: dict[str, int]
    physical: dict[str, int]
    distance: dict[str, int]
    areas: dict[str, int]
    unused_skills: dict[str, int]
    unused_interests: dict[str, int]
    offered: dict[str, dict[str, int]]
    missing: list[dict[str, Any]]
    people: list[dict[str, Any]] = field(default_factory=list)
    good_score: float = GOOD_SCORE

    @property
    def summary_ja(self) -> str:
        if self.n_waiting == 0:
            return "参加支援を待っている人はいません (プロフィールと参加支援の同意があり、参加が始まっていない人が0人)。"
        parts = [
            f"参加支援を待っている{self.n_waiting}人のうち、条件に合う参加メニューがない人は"
            f"{len(self.no_feasible_ids)}人、よく合う (スコア{self.good_score:g}以上) メニューがない人は"
            f"{len(self.no_good_ids)}人です (参加メニュー{self.n_openings}件)。"
        ]
        top = sorted(self.binding.items(), key=lambda kv: -kv[1]["people"])
        top = [kv for kv in top if kv[1]["people"] > 0][:2]
        if top:
            parts.append(
                "それだけで除外している条件は "
                + "、".join(f"「{v['label']}」{v['people']}人" for _, v in top)
                + " が多い。"
            )
        if self.missing:
            parts.append(self.missing[0]["sentence"])
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary_ja": self.summary_ja,
            "n_waiting": self.n_waiting,
            "n_openings": self.n_openings,
            "good_score": self.good_score,
            "no_feasible": len(self.no_feasible_ids),
            "no_good": len(self.no_good_ids),
            "no_feasible_ids": list(self.no_feasible_ids),
            "no_good_ids": list(self.no_good_ids),
            "binding": self.binding,
            "availability": self.availability,
            "any_time": self.any_time,
            "session": self.session,
            "readiness": self.readiness,
            "contact": self.contact,
            "physical": self.physical,
            "distance": self.distance,
            "areas": self.areas,
            "unused_skills": self.unused_skills,
            "unused_interests": self.unused_interests,
            "offered": self.offered,
            "missing": self.missing,
            "people": self.people,
        }


def _concept_or_text(values: Sequence[str], found: frozenset[str], vocab: Any) -> dict[str, str]:
    """Each value's key (a concept id, else the words) → label."""
    out: dict[str, str] = {}
    for v in values:
        ids = vocab.find(v) or vocab.lookup(v)
        if ids:
            for c in ids:
                out[c] = vocab.label(c)
        elif v.strip():
            out["text:" + v.strip()] = v.strip()
    return out


def unmet_need(
    profiles: Sequence[Profile],
    openings: OpeningIndex | Sequence[Opening | Opportunity],
    *,
    areas: Mapping[str, str] | None = None,
    scorer: Any = None,
    good_score: float = GOOD_SCORE,
    scores: Scores | None = None,
) -> UnmetReport:
    """Aggregate why the people waiting stay without a feasible or a good opening.

    ``areas`` maps a person id to the name of their area (地区). ``scores`` may be passed when already computed
    (with constraints kept) for the same people and openings.

    >>> from matching.records import Opening, Profile
    >>> o = Opening(id="O-1", title="袋詰め", kind="petit_work", hours_per_session=3)
    >>> r = unmet_need([Profile(id="P-1", max_hours_per_session=1, consent={"all_hosts": True})], [o])
    >>> r.no_feasible_ids, r.binding["session_hours"]["people"]
    (['P-1'], 1)
    """
    sc = scores if scores is not None and scores.constraints is not None else None
    if sc is None:
        sc = score_all(profiles, openings, scorer=scorer, keep_constraints=True)
    index = sc.index
    assert sc.constraints is not None
    n_open = len(index)
    any_ok = sc.any_feasible()
    good_ok = np.asarray(sc.good(good_score).any(axis=1)) if n_open else np.zeros(len(profiles), dtype=bool)
    best = sc.best_score()
    ids = [p.id or f"#{i + 1}" for i, p in enumerate(profiles)]
    no_feasible = [ids[i] for i in range(len(profiles)) if not any_ok[i]]
    no_good = [ids[i] for i in range(len(profiles)) if not good_ok[i]]
    unmet = [i for i in range(len(profiles)) if not good_ok[i]]

    # binding constraints: the one limit that alone excludes an opening
    binding: dict[str, dict[str, Any]] = {
        r.value: {"label": r.ja, "label_en": r.en, "people": 0, "pairs": 0, "people_no_feasible": 0}
        for r in Reason
    }
    per_person_binding: dict[int, list[str]] = {}
    for i in unmet:
        cons = sc.constraints[i]
        if not cons.fails or n_open == 0:
            continue
        stack = np.stack([cons.fails[r] for r in cons.fails])
        nfail = stack.sum(axis=0)
        single = nfail == 1
        mine: list[str] = []
        for k, r in enumerate(cons.fails):
            pairs = int((stack[k] & single).sum())
            if pairs:
                binding[r.value]["pairs"] += pairs
                binding[r.value]["people"] += 1
                if not any_ok[i]:
                    binding[r.value]["people_no_feasible"] += 1
                mine.append(r.value)
        per_person_binding[i] = mine
    binding = {k: v for k, v in binding.items() if v["people"] or v["pairs"]}

    availability: dict[str, dict[str, int]] = {d.value: {b[0]: 0 for b in BANDS} for d in _DAYS}
    any_time = 0
    session: Counter[str] = Counter()
    readiness: Counter[str] = Counter()
    contact: Counter[str] = Counter()
    physical: Counter[str] = Counter()
    distance: Counter[str] = Counter()
    area_count: Counter[str] = Counter()
    vocab = index.vocabulary if n_open else default_vocabulary()
    used: set[str] = set()
    for k in range(n_open):
        used |= set(index.task_sets[k]) | set(index.concept_sets[k])
        o = index.openings[k]
        for s in o.skills_wanted:
            used |= set(vocab.find(s) or vocab.lookup(s))
            used.add("text:" + s.strip())
    unused_sk: Counter[str] = Counter()
    unused_in: Counter[str] = Counter()
    labels: dict[str, str] = {}
    people: list[dict[str, Any]] = []
    for i in unmet:
        p = profiles[i]
        if p.time_windows:
            for d in _DAYS:
                for band in BANDS:
                    if any(w.weekday == d and _band_overlap(w, band) for w in p.time_windows):
                        availability[d.value][band[0]] += 1
        elif not p.no_time_now:
            any_time += 1
        session[_session_bin(p.max_hours_per_session)] += 1
        readiness[str(p.readiness)] += 1
        contact[str(p.contact_comfort)] += 1
        physical[str(p.max_physical_load)] += 1
        distance[_km_bin(p)] += 1
        area_count[(areas or {}).get(ids[i], "地区不明")] += 1
        sk = _concept_or_text([*p.skills, *p.experience], frozenset(), vocab)
        it = _concept_or_text(p.interests, frozenset(), vocab)
        labels |= sk | it
        for key in sk:
            if key not in used:
                unused_sk[key] += 1
        for key in it:
            if key not in used:
                unused_in[key] += 1
        people.append(
            {
                "person_id": ids[i],
                "feasible": bool(any_ok[i]),
                "best_score": round(float(best[i]), 4),
                "binding": per_person_binding.get(i, []),
                "area": (areas or {}).get(ids[i]),
            }
        )

    offered = {
        "difficulty": dict(Counter(str(int(x)) for x in index.difficulty)) if n_open else {},
        "contact_load": dict(Counter(str(int(x)) for x in index.contact_load)) if n_open else {},
        "physical_load": dict(Counter(str(int(x)) for x in index.physical_load)) if n_open else {},
        "session": dict(Counter(_session_bin(None if np.isnan(h) else float(h)) for h in index.session_hours))
        if n_open
        else {},
    }
    missing = _probe_missing([profiles[i] for i in unmet])
    return UnmetReport(
        n_waiting=len(profiles),
        n_openings=n_open,
        no_feasible_ids=no_feasible,
        no_good_ids=no_good,
        binding=binding,
        availability=availability,
        any_time=any_time,
        session=dict(session),
        readiness=dict(sorted(readiness.items())),
        contact=dict(sorted(contact.items())),
        physical=dict(sorted(physical.items())),
        distance=dict(distance),
        areas=dict(area_count.most_common()),
        unused_skills={labels[k]: n for k, n in unused_sk.most_common()},
        unused_interests={labels[k]: n for k, n in unused_in.most_common()},
        offered=offered,
        missing=missing,
        people=people,
        good_score=good_score,
    )


def _probe_missing(profiles: Sequence[Profile], *, top: int = 8) -> list[dict[str, Any]]:
    """Probe openings (weekday × time of day × 1/2/3 hours, lightest loads, no place) through the constraints:
    how many of ``profiles`` each would fit (consent and capacity aside: the opening does not exist yet)."""
    if not profiles:
        return []
    probes: list[Opening] = []
    meta: list[tuple[Weekday, tuple[str, str, int, int], float]] = []
    for d in _DAYS:
        for band in BANDS:
            a, b = _BAND_PROBE[band[0]]
            for h in _PROBE_HOURS:
                span = (int(b[:2]) - int(a[:2])) * 60
                if h * 60 > span:
                    continue
                probes.append(
                    Opening(
                        id=f"probe-{d.value}-{band[0]}-{h:g}",
                        title="仮の参加メニュー",
                        kind=OpportunityKind.PETIT_WORK,
                        schedule=Schedule(slots=(ScheduleSlot(weekday=d, opens=a, closes=b),)),
                        hours_per_session=h,
                    )
                )
                meta.append((d, band, h))
    index = OpeningIndex.build(probes)
    ignore = {Reason.CONSENT, Reason.CAPACITY}
    fits = np.zeros((len(profiles), len(probes)), dtype=bool)
    loads = np.zeros((len(profiles), 3), dtype=np.int64)
    for i, p in enumerate(profiles):
        cons = evaluate(profile_vector(p, index), index)
        bad = np.zeros(len(probes), dtype=bool)
        for r, m in cons.fails.items():
            if r not in ignore:
                bad |= m
        fits[i] = ~bad
        loads[i] = (p.contact_comfort, p.max_physical_load, p.readiness)
    out: list[dict[str, Any]] = []
    order = np.lexsort((np.array([m[2] for m in meta]), -fits.sum(axis=0)))
    seen: set[tuple[str, str]] = set()
    for k in order.tolist():
        n = int(fits[:, k].sum())
        d, band, h = meta[k]
        if n == 0 or (d.value, band[0]) in seen:
            continue
        seen.add((d.value, band[0]))
        who = fits[:, k]
        contact = int(np.min(loads[who, 0]))
        phys = int(np.min(loads[who, 1]))
        ready = int(np.min(loads[who, 2]))
        out.append(
            {
                "weekday": d.value,
                "band": band[0],
                "hours": h,
                "people": n,
                "contact_load": contact,
                "physical_load": phys,
                "difficulty": ready,
                "sentence": (
                    f"{d.ja}曜の{band[1].split(' ')[0]}に{h:g}時間、対人負荷{contact}・身体負荷{phys}以下・"
                    f"難易度{ready}の作業があれば、{n}人の時間と条件に合います (場所の条件は別)。"
                ),
            }
        )
        if len(out) >= top:
            break
    return out


def _withhold(n: Any, k: int) -> Any:
    if isinstance(n, bool) or not isinstance(n, int):
        return n
    return None if 0 < n < k else n


def counts_only(report: Mapping[str, Any], *, min_count: int = SMALL_CELL) -> dict[str, Any]:
    """The community developer's view of :meth:`UnmetReport.to_dict`: no person ids, no per-person rows,
    and every count in a table that is 1 … ``min_count``−1 replaced by ``None`` (shown as 「少数のため非表示」).
    The totals (people waiting, openings) are kept."""
    out: dict[str, Any] = {"view": "counts_only", "min_count": min_count}
    for key, value in report.items():
        if key in ("people", "no_feasible_ids", "no_good_ids"):
            continue
        if key in ("n_waiting", "n_openings", "good_score", "summary_ja"):
            out[key] = value
        elif key in ("no_feasible", "no_good", "any_time"):
            out[key] = _withhold(value, min_count)
        elif key == "binding":
            out[key] = {
                r: {**v, **{c: _withhold(v[c], min_count) for c in ("people", "pairs", "people_no_feasible")}}
                for r, v in value.items()
            }
        elif key == "availability":
            out[key] = {d: {b: _withhold(n, min_count) for b, n in row.items()} for d, row in value.items()}
        elif key == "missing":
            out[key] = [
                {**m, "people": _withhold(m["people"], min_count)} for m in value if m["people"] >= min_count
            ]
        elif key == "offered":
            out[key] = value  # openings, not people
        elif key in ("unused_skills", "unused_interests", "areas"):
            # a rare skill or a small area would point at someone: the entry goes, only its count is kept
            out[key] = {k: n for k, n in value.items() if not (isinstance(n, int) and 0 < n < min_count)}
            out[f"{key}_withheld"] = sum(
                1 for n in value.values() if isinstance(n, int) and 0 < n < min_count
            )
        elif isinstance(value, dict):
            out[key] = {k: _withhold(n, min_count) for k, n in value.items()}
        else:
            out[key] = value
    small = [m for m in report.get("missing", []) if m["people"] < min_count]
    out["summary_ja"] = (
        f"参加支援を待っている{report['n_waiting']}人についての集計です (個人は表示しません。"
        f"{min_count}人未満の数は非表示)。"
    )
    if small and not out["missing"]:
        out["summary_ja"] += "足りないメニューの候補はどれも少数のため非表示です。"
    return out


def report_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report as one flat table (section, key, label, count) for CSV; withheld counts are empty."""
    rows: list[dict[str, Any]] = []

    def add(section: str, key: str, label: str, count: Any) -> None:
        rows.append({"section": section, "key": key, "label": label, "count": "" if count is None else count})

    add("summary", "n_waiting", "待っている人", report["n_waiting"])
    add("summary", "n_openings", "参加メニュー", report["n_openings"])
    add("summary", "no_feasible", "条件に合うメニューがない人", report.get("no_feasible"))
    add("summary", "no_good", "よく合うメニューがない人", report.get("no_good"))
    for r, v in report["binding"].items():
        add("binding", r, v["label"], v["people"])
    band_label = {b[0]: b[1] for b in BANDS}
    for d, row in report["availability"].items():
        for b, n in row.items():
            add("availability", f"{d}-{b}", f"{Weekday(d).ja}曜 {band_label[b]}", n)
    add("availability", "any_time", "時間帯の制限なし", report.get("any_time"))
    for section, title in (
        ("session", "1回の上限時間"),
        ("readiness", "参加の段階 (難易度の目安)"),
        ("contact", "対人面の耐性"),
        ("physical", "身体負荷の上限"),
        ("distance", "移動の上限"),
        ("areas", "地区"),
        ("unused_skills", "使われていない技能・経験"),
        ("unused_interests", "使われていない興味"),
    ):
        for k, n in report[section].items():
            add(section, k, f"{title}: {k}", n)
    for m in report["missing"]:
        add("missing", f"{m['weekday']}-{m['band']}-{m['hours']:g}h", m["sentence"], m["people"])
    return rows
