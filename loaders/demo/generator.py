"""Generate a demo town as a stream of :class:`WriteBatch` es, deterministically from a seed.

The first batch holds the town's fixed part: areas, agencies, venues, employers, participation menus,
supporters and the ties among them. Every later batch is one *block* of :data:`BLOCK` households with their
members, cases and every relationship that touches them (informal ties are drawn inside the block, among
households of the same settlement). So each batch is self-consistent (its relationships' endpoints are in it or
in the first batch), memory stays linear in the block size, and any number of households can be streamed.

Each block draws from its own generator seeded by ``(seed, town, block)``: the same seed gives the same rows,
byte for byte, whatever the batching of the writes. Household and person rows are built as flat store
properties directly (the codec's format; ``tests/unit/demo`` proves every row validates and round-trips),
because building a pydantic record per row would dominate the time of a million-household town.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from graphsvc.domain.codec import Props, to_props
from graphsvc.domain.enums import (
    CaseFactor,
    CaseStage,
    HouseholdFlag,
    NodeLabel,
    PlacementOutcome,
    PlacementStatus,
    RelType,
    Sector,
    SupporterKind,
)
from graphsvc.domain.records import Agency, Area, Employer, Opportunity, Supporter, Venue
from graphsvc.domain.values import Capacity, GeoPoint, Schedule, ScheduleSlot
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch
from loaders.demo import sources as src
from loaders.demo.names import SURNAMES, given_name, surname_index
from loaders.demo.profiles import is_candidate, participation_profile, profile_json
from loaders.demo.spec import PC_COUPLE, TG_COUPLE, WIDOW_FEMALE, TownSpec

__all__ = ["BLOCK", "LOCATION_SOURCE", "generate_town", "town_digest"]

BLOCK = 1000
"""Households per block (and per streamed batch)."""
LOCATION_SOURCE = "demo:synthetic"
REF = src.REFERENCE_YEAR
_REF_DATE = date(2021, 8, 31)
_FIRST_DATE = date(2019, 4, 1)

_L = NodeLabel
_R = RelType


def _ref(label: NodeLabel, id_: str) -> NodeRef:
    return NodeRef(label, id_)


class _Draws:
    """Uniform draws from a pre-filled buffer (much cheaper than one generator call per scalar)."""

    def __init__(self, rng: np.random.Generator, chunk: int = 65_536):
        self._rng = rng
        self._chunk = chunk
        self._buf = rng.random(chunk).tolist()
        self._i = 0

    def u(self) -> float:
        if self._i >= len(self._buf):
            self._buf = self._rng.random(self._chunk).tolist()
            self._i = 0
        v: float = self._buf[self._i]
        self._i += 1
        return v

    def chance(self, p: float) -> bool:
        return self.u() < p

    def integer(self, lo: int, hi: int) -> int:
        """Integer in [lo, hi] inclusive."""
        return lo + min(hi - lo, int(self.u() * (hi - lo + 1)))

    def binom(self, n: int, p: float) -> int:
        return sum(1 for _ in range(n) if self.u() < p)

    def pick(self, seq: list[Any] | tuple[Any, ...]) -> Any:
        return seq[min(len(seq) - 1, int(self.u() * len(seq)))]

    def weighted(self, cum: list[float]) -> int:
        """Index for a cumulative weight list (last element = total)."""
        x = self.u() * cum[-1]
        for i, c in enumerate(cum):
            if x < c:
                return i
        return len(cum) - 1

    def day(self, lo: date = _FIRST_DATE, hi: date = _REF_DATE) -> date:
        return lo + timedelta(days=self.integer(0, (hi - lo).days))


def _elderly_age(d: _Draws, minimum: int = 65) -> int:
    """An age of 65+ after the national structure (65–74 48.5%, 75–84 34%, 85+ 17.5%; 人口推計 2021)."""
    while True:
        x = d.u()
        age = d.integer(65, 74) if x < 0.485 else d.integer(75, 84) if x < 0.825 else d.integer(85, 99)
        if age >= minimum:
            return age


# ------------------------------------------------------------------ the fixed part


@dataclass
class _Index:
    """What blocks need to know of the fixed part."""

    area_ids: dict[str, str] = field(default_factory=dict)
    area_parent: dict[str, str | None] = field(default_factory=dict)
    serves: dict[Sector, list[tuple[str, str | None, float]]] = field(default_factory=dict)
    venues: list[tuple[str, str, str, int]] = field(default_factory=list)  # id, area key, audience, capacity
    opportunities: list[tuple[str, str, int, int]] = field(
        default_factory=list
    )  # id, kind, contact, free used
    minsei: list[list[str]] = field(default_factory=list)  # per settlement
    helpers: list[list[str]] = field(default_factory=list)  # サポーター per settlement
    kind_of: dict[str, str] = field(default_factory=dict)


def _area_key_of(spec: TownSpec, key: str) -> str:
    return f"{spec.town}-A-{key}"


def _point(lat: float, lon: float, approximate: bool = False) -> GeoPoint:
    return GeoPoint(lat=lat, lon=lon, approximate=approximate, source=LOCATION_SOURCE)


def _schedule(slots: tuple[tuple[str, str, str], ...], note: str | None = None) -> Schedule | None:
    if not slots:
        return None
    return Schedule(
        slots=tuple(
            ScheduleSlot.model_validate({"weekday": w, "opens": a, "closes": b}) for w, a, b in slots
        ),
        note=note,
    )


def _fixed_part(spec: TownSpec, households: int, rng: np.random.Generator) -> tuple[WriteBatch, _Index]:
    t = spec.town
    nodes: list[NodeRow] = []
    rels: list[RelRow] = []
    idx = _Index()
    d = _Draws(rng, 4096)

    for a in spec.areas:
        aid = _area_key_of(spec, a.key)
        idx.area_ids[a.key] = aid
        idx.area_parent[a.key] = a.parent
        rec = Area(
            id=aid,
            name=a.name,
            kind=a.kind,
            parent_id=_area_key_of(spec, a.parent) if a.parent else None,
            code=a.code,
            centre=_point(a.lat, a.lon, approximate=True),
            remote=a.remote,
        )
        nodes.append(NodeRow(_L.AREA, aid, to_props(rec)))
    for a in spec.areas:
        if a.parent:
            rels.append(
                RelRow(_R.IN_AREA, _ref(_L.AREA, idx.area_ids[a.key]), _ref(_L.AREA, idx.area_ids[a.parent]))
            )

    for g in spec.agencies:
        gid = f"{t}-AG-{g.key}"
        idx.kind_of[gid] = g.kind.value
        rec_ag = Agency(
            id=gid,
            name=g.name,
            kind=g.kind,
            sectors=list(g.sectors),
            area_id=idx.area_ids[g.area],
            location=_point(g.lat, g.lon),
            address=g.address,
            corporation=g.corporation,
            services=list(g.services),
            caseload_limit=g.caseload_limit,
        )
        nodes.append(NodeRow(_L.AGENCY, gid, to_props(rec_ag)))
        rels.append(RelRow(_R.IN_AREA, _ref(_L.AGENCY, gid), _ref(_L.AREA, idx.area_ids[g.area])))
        for sector in g.sectors if g.serves is None else g.serves:
            idx.serves.setdefault(sector, []).append((gid, g.district, g.weight))

    for c in spec.collaborations:
        rels.append(
            RelRow(
                _R.COLLABORATES_WITH,
                _ref(_L.AGENCY, f"{t}-AG-{c.a}"),
                _ref(_L.AGENCY, f"{t}-AG-{c.b}"),
                {"level": c.level.value, "since": c.since, "intensity": c.intensity},
            )
        )

    for v in spec.venues:
        vid = f"{t}-V-{v.key}"
        rec_v = Venue(
            id=vid,
            name=v.name,
            kind=v.kind,
            sectors=list(v.sectors),
            area_id=idx.area_ids[v.area],
            location=_point(v.lat, v.lon),
            schedule=_schedule(v.schedule),
            capacity=Capacity(maximum=v.capacity),
            activities=list(v.activities),
        )
        nodes.append(NodeRow(_L.VENUE, vid, to_props(rec_v)))
        rels.append(RelRow(_R.IN_AREA, _ref(_L.VENUE, vid), _ref(_L.AREA, idx.area_ids[v.area])))
        idx.venues.append((vid, v.area, v.audience, v.capacity))

    for e in spec.employers:
        eid = f"{t}-E-{e.key}"
        rec_e = Employer(
            id=eid,
            name=e.name,
            industry=e.industry,
            welfare_workplace=e.welfare_workplace,
            sectors=list(e.sectors),
            area_id=idx.area_ids[e.area],
            location=_point(e.lat, e.lon),
        )
        nodes.append(NodeRow(_L.EMPLOYER, eid, to_props(rec_e)))
        rels.append(RelRow(_R.IN_AREA, _ref(_L.EMPLOYER, eid), _ref(_L.AREA, idx.area_ids[e.area])))

    hosts = (
        {("Employer", e.key): (e.area, e.lat, e.lon) for e in spec.employers}
        | {("Venue", v.key): (v.area, v.lat, v.lon) for v in spec.venues}
        | {("Agency", g.key): (g.area, g.lat, g.lon) for g in spec.agencies}
    )
    prefix = {"Employer": "E", "Venue": "V", "Agency": "AG"}
    for o in spec.opportunities:
        oid = f"{t}-O-{o.key}"
        area, lat, lon = hosts[o.host]
        host_id = f"{t}-{prefix[o.host[0]]}-{o.host[1]}"
        rec_o = Opportunity(
            id=oid,
            title=o.title,
            kind=o.kind,
            host_id=host_id,
            host_label=NodeLabel(o.host[0]),
            description=o.description,
            sectors=list(o.sectors),
            provides=list(o.provides),
            schedule=_schedule(o.schedule),
            hours_per_session=o.hours,
            difficulty=o.difficulty,
            contact_load=o.contact_load,
            physical_load=o.physical_load,
            skills_wanted=list(o.skills_wanted),
            accessibility=list(o.accessibility),
            support=list(o.support),
            capacity=Capacity(maximum=o.capacity, available=o.available),
            area_id=idx.area_ids[area],
            location=None if o.remote else _point(lat, lon),
            remote=o.remote,
        )
        nodes.append(NodeRow(_L.OPPORTUNITY, oid, to_props(rec_o)))
        rels.append(RelRow(_R.HOSTED_BY, _ref(_L.OPPORTUNITY, oid), _ref(NodeLabel(o.host[0]), host_id)))
        rels.append(RelRow(_R.IN_AREA, _ref(_L.OPPORTUNITY, oid), _ref(_L.AREA, idx.area_ids[area])))
        idx.opportunities.append((oid, o.kind.value, o.contact_load, o.capacity - o.available))

    # 民生委員: one per ``households_per_minsei`` households of each settlement (at least one); サポーター too
    n_sup = 0
    counts = spec.settlement_counts(households)
    for s, n in zip(spec.settlements, counts, strict=True):
        area_id = idx.area_ids[s.area]
        ms: list[str] = []
        hs: list[str] = []
        n_minsei = max(1, -(-n // spec.households_per_minsei)) if n else 0
        n_helpers = round(n * spec.supporters_per_1000_households / 1000)
        for kind, k, bucket in (
            (SupporterKind.MINSEI_IIN, n_minsei, ms),
            (SupporterKind.SUPPORTER, n_helpers, hs),
        ):
            for _ in range(k):
                n_sup += 1
                sid = f"{t}-S{n_sup:06d}"
                name = f"{SURNAMES[surname_index(d.u())]} {given_name(d.u(), d.chance(0.6), d.integer(1945, 1965))}"
                rec_s = Supporter(id=sid, name=name, kind=kind, area_id=area_id)
                nodes.append(NodeRow(_L.SUPPORTER, sid, to_props(rec_s)))
                rels.append(RelRow(_R.IN_AREA, _ref(_L.SUPPORTER, sid), _ref(_L.AREA, area_id)))
                bucket.append(sid)
        idx.minsei.append(ms)
        idx.helpers.append(hs)
    return WriteBatch(nodes=nodes, rels=rels), idx


# ------------------------------------------------------------------ households


@dataclass
class _Member:
    pid: str
    age: int
    female: bool
    role: str
    disability: bool = False
    hikikomori: bool = False
    care: str | None = None


_CARE_LEVELS = list(src.CARE_LEVEL_SHARES)
_CARE_CUM = np.cumsum(list(src.CARE_LEVEL_SHARES.values())).tolist()
_SEVERE_CARE = {"要介護3", "要介護4", "要介護5"}
_FACTORS = [CaseFactor(k) for k in src.KUWANA_FACTOR_WEIGHTS]
_FACTOR_W = list(src.KUWANA_FACTOR_WEIGHTS.values())

_HARD_N, _HARD_P = 9, (src.HARD_CASE_MEAN_FACTORS - 2) / 9  # 2 + Binomial(9, p): mean 5.4, 2–11 factors
_SOFT_N, _SOFT_P = 3, 0.3  # 1 + Binomial(3, 0.3): 66% carry two or more (生活困窮: more than half)


def _members(kind: str, d: _Draws, hid: str, spec: TownSpec) -> list[_Member]:
    out: list[_Member] = []

    def add(age: int, female: bool, role: str) -> None:
        out.append(_Member(f"{hid.replace('-H', '-P', 1)}-{len(out) + 1}", age, female, role))

    def kids(n: int) -> None:
        for _ in range(n):
            add(d.integer(0, 17), d.chance(0.49), "子")

    if kind == "single_elderly_man":
        add(_elderly_age(d), False, "世帯主")
    elif kind == "single_elderly_woman":
        add(_elderly_age(d), True, "世帯主")
    elif kind == "elderly_couple":
        add(_elderly_age(d), False, "世帯主")
        add(_elderly_age(d), True, "配偶者")
    elif kind == "parent_child":
        page = _elderly_age(d, 70)
        if d.chance(PC_COUPLE):
            add(page, False, "世帯主")
            add(_elderly_age(d, 70), True, "配偶者")
        else:
            add(page, d.chance(WIDOW_FEMALE), "世帯主")
        add(max(35, min(64, page - d.integer(22, 38))), d.chance(0.55), "子")
    elif kind == "three_gen":
        if d.chance(TG_COUPLE):
            add(_elderly_age(d), False, "親")
            add(_elderly_age(d), True, "親")
        else:
            add(_elderly_age(d), d.chance(WIDOW_FEMALE), "親")
        age = d.integer(35, 60)
        add(age, False, "世帯主")
        add(max(30, age - d.integer(0, 4)), True, "配偶者")
        kids(1 + d.binom(2, 0.35))
    elif kind == "single":
        add(d.integer(20, 64), d.chance(0.42), "世帯主")
    elif kind == "couple":
        age = d.integer(25, 64)
        add(age, False, "世帯主")
        add(max(22, age - d.integer(0, 4)), True, "配偶者")
    elif kind == "couple_kids":
        age = d.integer(27, 55)
        add(age, False, "世帯主")
        add(max(25, age - d.integer(0, 4)), True, "配偶者")
        kids(1 + d.binom(2, 0.35))
    elif kind == "single_parent":
        add(d.integer(24, 55), d.chance(0.88), "世帯主")  # 母子 about 88% of single-parent households
        kids(1 + d.binom(2, 0.25))
    elif kind == "couple_adult_child":
        age = d.integer(48, 64)
        add(age, False, "世帯主")
        add(max(45, age - d.integer(0, 4)), True, "配偶者")
        add(d.integer(18, 34), d.chance(0.5), "子")
    else:  # pragma: no cover
        raise ValueError(kind)

    p_dis_old, p_dis_young = spec.mix.disability_probs
    h_other = spec.mix.hikikomori_other
    for m in out:
        m.disability = d.chance(p_dis_old if m.age >= 65 else p_dis_young)
        if 15 <= m.age <= 64:
            p = (
                spec.mix.hikikomori_in_parent_child
                if (kind == "parent_child" and m.role == "子")
                else h_other
            )
            m.hikikomori = d.chance(p)
        if m.age >= 65 and d.chance(src.CARE_CERTIFIED_75_PLUS if m.age >= 75 else src.CARE_CERTIFIED_65_74):
            m.care = _CARE_LEVELS[d.weighted(_CARE_CUM)]
    return out


@dataclass
class _Household:
    hid: str
    settlement: int
    local: int
    area_key: str
    lat: float
    lon: float
    members: list[_Member]
    flags: list[HouseholdFlag]
    tie_class: str  # normal | one_tie | isolated | enclave
    needy: bool


def _flags(kind: str, members: list[_Member], d: _Draws, remote: bool) -> list[HouseholdFlag]:
    f: set[HouseholdFlag] = set()
    elderly = [m for m in members if m.age >= 65]
    if len(members) == 1 and elderly:
        f.add(HouseholdFlag.SINGLE_ELDERLY)
    if len(members) == 2 and len(elderly) == 2:
        f.add(HouseholdFlag.ELDERLY_COUPLE)
    if kind == "parent_child":
        parent = max(m.age for m in elderly)
        child = next(m for m in members if m.role == "子")
        if parent >= 75 and child.age >= 45:
            f.add(HouseholdFlag.EIGHTY_FIFTY)
    if any(m.hikikomori for m in members):
        f.add(HouseholdFlag.HIKIKOMORI_MEMBER)
    if kind == "single_parent":
        f.add(HouseholdFlag.SINGLE_PARENT)
    if any(m.disability for m in members):
        f.add(HouseholdFlag.DISABILITY_MEMBER)
    carers = [m for m in members if 10 <= m.age <= 17]
    cared = [m for m in members if m.age >= 18 and (m.care or m.disability)]
    if carers and cared and d.chance(0.3):
        f.add(HouseholdFlag.YOUNG_CARER)
    # ダブルケア: an adult of working age with a young child and an older relative who needs care, at once
    if (
        any(m.age < 13 for m in members)
        and any(m.age >= 65 and (m.care or m.disability) for m in members)
        and any(25 <= m.age <= 64 for m in members)
    ):
        f.add(HouseholdFlag.DOUBLE_CARE)
    if remote:
        f.add(HouseholdFlag.REMOTE)
    single = HouseholdFlag.SINGLE_ELDERLY in f
    if d.chance(src.HOARDING_RATE * (3.0 if single else 0.55)):
        f.add(HouseholdFlag.HOARDING)
    pa = src.PUBLIC_ASSISTANCE_RATE * (2.0 if single or kind == "single_parent" else 0.75)
    if d.chance(pa):
        f.add(HouseholdFlag.PUBLIC_ASSISTANCE)
    order = list(HouseholdFlag)
    return sorted(f, key=order.index)


class _BlockWriter:
    def __init__(self, spec: TownSpec, idx: _Index, state: dict[str, Any]):
        self.spec = spec
        self.idx = idx
        self.state = state  # venue attendance and placements so far (carried across blocks)
        self.nodes: list[NodeRow] = []
        self.rels: list[RelRow] = []
        self.t = spec.town

    def rel(self, t: RelType, a: NodeRef, b: NodeRef, props: Props | None = None) -> None:
        self.rels.append(RelRow(t, a, b, props or {}))

    def agency_for(self, sector: Sector, area_key: str, d: _Draws) -> str | None:
        cands = self.idx.serves.get(sector)
        if not cands:
            return None
        parent = self.idx.area_parent.get(area_key)
        local = [c for c in cands if c[1] is not None and c[1] in (area_key, parent)]
        pool = local or [c for c in cands if c[1] is None]
        if not pool:
            return None
        cum = np.cumsum([w for _, _, w in pool]).tolist()
        return pool[d.weighted(cum)][0]


def _household_rows(w: _BlockWriter, h: _Household, kind: str, d: _Draws) -> None:
    spec = w.spec
    hh = _ref(_L.HOUSEHOLD, h.hid)
    settlement = spec.settlements[h.settlement]
    props: Props = {
        "id": h.hid,
        "area_id": w.idx.area_ids[h.area_key],
        "lat": h.lat,
        "lon": h.lon,
        "location_approximate": False,
        "location_source": LOCATION_SOURCE,
        "size": len(h.members),
        "address": f"{spec.address_prefix}{settlement.name}",
    }
    if h.flags:
        props["flags"] = [f.value for f in h.flags]
    w.nodes.append(NodeRow(_L.HOUSEHOLD, h.hid, props))
    w.rel(_R.IN_AREA, hh, _ref(_L.AREA, w.idx.area_ids[h.area_key]))
    surname = SURNAMES[surname_index(d.u())]
    for m in h.members:
        by = REF - m.age
        needs = (
            m.care in _SEVERE_CARE or (m.age >= 75 and len(h.members) == 1) or (m.disability and m.age >= 65)
        )
        needs = needs or (m.age >= 80 and HouseholdFlag.ELDERLY_COUPLE in h.flags)
        p: Props = {
            "id": m.pid,
            "name": f"{surname} {given_name(d.u(), m.female, by)}",
            "household_id": h.hid,
            "birth_year": by,
            "sex": "female" if m.female else "male",
            "needs_support": bool(needs),
            "disability": m.disability,
            "hikikomori": m.hikikomori,
        }
        if m.care:
            p["care_level"] = m.care
        child_8050 = HouseholdFlag.EIGHTY_FIFTY in h.flags and m.role == "子" and 40 <= m.age <= 64
        if is_candidate(
            m.age, hikikomori=m.hikikomori, disability=m.disability, eighty_fifty_child=child_8050
        ):
            prof = participation_profile(
                m.pid,
                seed=w.state.get("seed", 0),
                age=m.age,
                hikikomori=m.hikikomori,
                disability=m.disability,
                lat=h.lat,
                lon=h.lon,
                remote=spec.area(h.area_key).remote,
            )
            p["participation_profile_json"] = profile_json(prof)
        w.nodes.append(NodeRow(_L.PERSON, m.pid, p))
        w.rel(_R.MEMBER_OF, _ref(_L.PERSON, m.pid), hh, {"role": m.role})


def _formal_ties(w: _BlockWriter, h: _Household, d: _Draws, hnum: int) -> None:
    """SUPPORTED_BY, VISITS, cases (ABOUT / HANDLED_BY), ATTENDS, PLACED_IN of a household with ties."""
    spec, idx = w.spec, w.idx
    hh = _ref(_L.HOUSEHOLD, h.hid)
    f = set(h.flags)

    given: set[tuple[NodeRef, str]] = set()

    def support(src_ref: NodeRef, sector: Sector, p: float, intensity: int) -> str | None:
        if not d.chance(p):
            return None
        aid = w.agency_for(sector, h.area_key, d)
        if aid is None or (src_ref, aid) in given:
            return None
        given.add((src_ref, aid))
        w.rel(
            _R.SUPPORTED_BY,
            src_ref,
            _ref(_L.AGENCY, aid),
            {"sector": sector.value, "since": d.day().isoformat(), "intensity": intensity},
        )
        return aid

    elderly_care = any(m.care for m in h.members)
    if elderly_care or (HouseholdFlag.SINGLE_ELDERLY in f and any(m.age >= 75 for m in h.members)):
        support(hh, Sector.ELDERLY, 0.85 if elderly_care else 0.45, 2)
    if HouseholdFlag.SINGLE_PARENT in f or HouseholdFlag.YOUNG_CARER in f:
        support(hh, Sector.CHILD, 0.5, 1)
    if HouseholdFlag.PUBLIC_ASSISTANCE in f:
        support(hh, Sector.POVERTY, 0.95, 2)
    if HouseholdFlag.EIGHTY_FIFTY in f:
        support(hh, Sector.ELDERLY, 0.5, 1)
    if HouseholdFlag.HOARDING in f:
        support(hh, Sector.COMMUNITY, 0.4, 1)
    for m in h.members:
        pr = _ref(_L.PERSON, m.pid)
        if m.care:
            support(pr, Sector.ELDERLY, 0.8, 3 if m.care in _SEVERE_CARE else 2)
        if m.disability:
            support(pr, Sector.DISABILITY, 0.45, 2)
        if m.hikikomori:
            support(pr, Sector.POVERTY, 0.2, 1)  # most are reached by no one
        if m.age < 6 and d.chance(0.3):
            support(pr, Sector.CHILD, 1.0, 1)

    # 民生委員 / サポーター visits of needy households
    ms = idx.minsei[h.settlement]
    if h.needy and ms and d.chance(0.85):
        sid = ms[min(len(ms) - 1, h.local // spec.households_per_minsei)]
        w.rel(
            _R.VISITS,
            _ref(_L.SUPPORTER, sid),
            hh,
            {"per_month": float(d.pick((1.0, 1.0, 2.0, 4.0))), "since": d.day(date(2016, 12, 1)).isoformat()},
        )
    hs = idx.helpers[h.settlement]
    if h.needy and hs and d.chance(0.3):
        w.rel(_R.VISITS, _ref(_L.SUPPORTER, d.pick(hs)), hh, {"per_month": 2.0})

    # cases
    risky = f & {
        HouseholdFlag.EIGHTY_FIFTY,
        HouseholdFlag.HIKIKOMORI_MEMBER,
        HouseholdFlag.HOARDING,
        HouseholdFlag.PUBLIC_ASSISTANCE,
        HouseholdFlag.SINGLE_PARENT,
        HouseholdFlag.YOUNG_CARER,
    }
    p_case = 0.03 + 0.25 * min(3, len(risky)) + (0.12 if elderly_care else 0.0)
    if d.chance(p_case):
        _case(w, h, d, hnum, 1, len(risky) >= 2 or HouseholdFlag.HOARDING in f)

    # ATTENDS
    for m in h.members:
        if m.age >= 65:
            aud, p = "elderly", 0.16 if not m.care or m.care not in _SEVERE_CARE else 0.0
        elif 6 <= m.age <= 15:
            aud, p = "children", 0.12
        elif m.hikikomori:
            aud, p = "youth", 0.08
        elif m.age >= 18:
            aud, p = "all", 0.03
        else:
            continue
        if p and d.chance(p):
            _attend(w, h, m, aud, d)

    # PLACED_IN
    for m in h.members:
        if 16 <= m.age <= 69 and (m.hikikomori or (m.disability and m.age < 65)) and d.chance(0.12):
            _place(w, m, d)


def _attend(w: _BlockWriter, h: _Household, m: _Member, audience: str, d: _Draws) -> None:
    used: dict[str, int] = w.state.setdefault("attendance", {})
    parent = w.idx.area_parent.get(h.area_key)
    near = [v for v in w.idx.venues if v[2] in (audience, "all") and v[1] in (h.area_key, parent)]
    pool = near or [v for v in w.idx.venues if v[2] in (audience, "all")]
    pool = [v for v in pool if used.get(v[0], 0) < v[3]]
    if not pool:
        return
    vid = d.pick(pool)[0]
    used[vid] = used.get(vid, 0) + 1
    w.rel(
        _R.ATTENDS, _ref(_L.PERSON, m.pid), _ref(_L.VENUE, vid), {"per_month": float(d.pick((1.0, 2.0, 4.0)))}
    )


_STATUS = [
    PlacementStatus.PROPOSED,
    PlacementStatus.CONTACTED,
    PlacementStatus.ACCEPTED,
    PlacementStatus.DECLINED,
    PlacementStatus.STARTED,
    PlacementStatus.FOLLOW_UP,
    PlacementStatus.ENDED,
]
_STATUS_CUM = np.cumsum([1, 1, 1, 1, 2, 2, 2]).tolist()


def _place(w: _BlockWriter, m: _Member, d: _Draws) -> None:
    used: dict[str, int] = w.state.setdefault("placements", {})
    want_low_contact = m.hikikomori
    pool = [
        o
        for o in w.idx.opportunities
        if used.get(o[0], 0) < o[3]
        and (o[2] <= 2 if want_low_contact else True)
        and (o[1] != "type_b_place" or m.disability or m.hikikomori)
        and o[1] != "temporary_housing"
    ]
    if not pool:
        return
    oid = d.pick(pool)[0]
    used[oid] = used.get(oid, 0) + 1
    status = _STATUS[d.weighted(_STATUS_CUM)]
    props: Props = {"status": status.value, "start": d.day(date(2020, 4, 1)).isoformat()}
    if status is PlacementStatus.ENDED:
        props["outcome"] = d.pick((PlacementOutcome.ENDED_WELL.value, PlacementOutcome.ENDED_EARLY.value))
    elif status in (PlacementStatus.STARTED, PlacementStatus.FOLLOW_UP):
        props["outcome"] = PlacementOutcome.CONTINUED.value
    if status is PlacementStatus.FOLLOW_UP and d.chance(0.5):
        props["host_notes"] = d.pick(
            ("声かけのタイミングに迷う", "休みの連絡が無い日がある", "作業に慣れてきた")
        )
    w.rel(_R.PLACED_IN, _ref(_L.PERSON, m.pid), _ref(_L.OPPORTUNITY, oid), props)


def _case(w: _BlockWriter, h: _Household, d: _Draws, hnum: int, j: int, hard_prone: bool) -> None:
    spec = w.spec
    f = set(h.flags)
    hard = d.chance(0.5 if hard_prone else 0.12)
    k = 2 + d.binom(_HARD_N, _HARD_P) if hard else 1 + d.binom(_SOFT_N, _SOFT_P)
    required: list[CaseFactor] = []
    if HouseholdFlag.HIKIKOMORI_MEMBER in f:
        required.append(CaseFactor.HIKIKOMORI)
    if HouseholdFlag.PUBLIC_ASSISTANCE in f:
        required.append(CaseFactor.FINANCIAL_HARDSHIP)
    if HouseholdFlag.HOARDING in f:
        required.append(CaseFactor.SELF_NEGLECT)
    if HouseholdFlag.SINGLE_PARENT in f:
        required.append(CaseFactor.CHILD_REARING)
    if HouseholdFlag.EIGHTY_FIFTY in f or HouseholdFlag.YOUNG_CARER in f:
        required.append(CaseFactor.CARE_BURDEN)
    if any(m.care for m in h.members):
        required.append(CaseFactor.DEMENTIA if d.chance(0.5) else CaseFactor.PHYSICAL_ILLNESS)
    if HouseholdFlag.DISABILITY_MEMBER in f:
        required.append(CaseFactor.DISABILITY)
    # keep at most k of the household's own factors (in a drawn order), then fill from the Kuwana weights
    order = sorted(range(len(required)), key=lambda _: d.u())
    factors = [required[i] for i in order[:k]]
    weights = list(_FACTOR_W)
    while len(factors) < k:
        for i, fac in enumerate(_FACTORS):
            if fac in factors:
                weights[i] = 0.0
        cum = np.cumsum(weights).tolist()
        factors.append(_FACTORS[d.weighted(cum)])
    cid = f"{spec.town}-C{hnum:07d}-{j}"
    stages = list(CaseStage)
    stage = stages[d.integer(1, 3)] if hard else stages[d.integer(0, 4)]
    opened = d.day()
    props: Props = {
        "id": cid,
        "household_id": h.hid,
        "stage": stage.value,
        "factors": [fc.value for fc in factors],
        "opened": opened.isoformat(),
        "hard": hard,
    }
    if stage is CaseStage.CLOSED:
        props["closed"] = min(_REF_DATE, opened + timedelta(days=d.integer(30, 365))).isoformat()
    w.nodes.append(NodeRow(_L.CASE, cid, props))
    cref = _ref(_L.CASE, cid)
    w.rel(_R.ABOUT, cref, _ref(_L.HOUSEHOLD, h.hid))
    sectors: list[Sector] = []
    for fc in factors:
        if fc.sector not in sectors:
            sectors.append(fc.sector)
    handlers: list[str] = []
    if hard and spec.hard_case_hub and d.chance(spec.hard_case_hub_share):
        handlers.append(f"{spec.town}-AG-{spec.hard_case_hub}")
    for sector in sectors:
        if len(handlers) >= (3 if hard else 2):
            break
        aid = w.agency_for(sector, h.area_key, d)
        if aid and aid not in handlers:
            handlers.append(aid)
    for i, aid in enumerate(handlers):
        w.rel(_R.HANDLED_BY, cref, _ref(_L.AGENCY, aid), {"lead": i == 0})


_RELATIONS = ((0.2, "kin"), (0.55, "friend"))
"""KNOWS relations: 20% kin, 35% friends (both ways); the rest acquaintances (one way: the knower to the known)."""


def _strength(d: _Draws, p_strong: float, p_unknown: float) -> Props:
    """A tie's recorded strength (none at all with probability ``p_unknown``: shown as 不明)."""
    if d.chance(p_unknown):
        return {}
    return {"strength": "strong" if d.chance(p_strong) else "weak"}


def _enclaves(w: _BlockWriter, hs: list[_Household], d: _Draws) -> None:
    """Closed groups of 2–5 enclave households tied to each other (kin, friends, neighbours) and to no one else."""
    group: list[_Household] = []
    size = 2 + d.binom(3, 0.4)
    for h in hs:
        group.append(h)
        if len(group) < size:
            continue
        _tie_group(w, group, d)
        group, size = [], 2 + d.binom(3, 0.4)
    if len(group) >= 2:
        _tie_group(w, group, d)
    elif group:
        group[0].tie_class = "isolated"


def _tie_group(w: _BlockWriter, group: list[_Household], d: _Draws) -> None:
    for a, b in itertools.pairwise(group):
        kind = d.u()
        if kind < 0.4:
            w.rel(
                _R.KNOWS,
                _ref(_L.PERSON, a.members[0].pid),
                _ref(_L.PERSON, b.members[0].pid),
                {"relation": "kin", **_strength(d, 0.6, w.spec.unknown_strength_rate)},
            )
        elif kind < 0.7:
            w.rel(
                _R.KNOWS,
                _ref(_L.PERSON, a.members[0].pid),
                _ref(_L.PERSON, b.members[0].pid),
                {"relation": "friend", **_strength(d, 0.4, w.spec.unknown_strength_rate)},
            )
        else:
            w.rel(
                _R.NEIGHBOUR_OF,
                _ref(_L.HOUSEHOLD, a.hid),
                _ref(_L.HOUSEHOLD, b.hid),
                _strength(d, 0.3, w.spec.unknown_strength_rate),
            )


def _informal_ties(w: _BlockWriter, block: list[_Household], d: _Draws) -> None:
    """NEIGHBOUR_OF among nearby households and KNOWS among their members, inside one settlement; enclaves tied
    only among themselves."""
    by_settlement: dict[int, list[_Household]] = {}
    for h in block:
        by_settlement.setdefault(h.settlement, []).append(h)
    p_unknown = w.spec.unknown_strength_rate
    for hs in by_settlement.values():
        _enclaves(w, [h for h in hs if h.tie_class == "enclave"], d)
        normal = [h for h in hs if h.tie_class == "normal"]
        if not normal:
            for h in hs:
                h.tie_class = "isolated" if h.tie_class == "one_tie" else h.tie_class
            continue
        lat = np.array([h.lat for h in normal])
        lon = np.array([h.lon for h in normal])
        seen: set[tuple[int, int]] = set()
        if len(normal) > 1:
            for i in range(len(normal)):
                dist = (lat - lat[i]) ** 2 + (lon - lon[i]) ** 2
                dist[i] = np.inf
                k = min(len(normal) - 1, 1 + d.binom(2, 0.5))
                for j in np.argpartition(dist, k - 1)[:k].tolist() if k < len(normal) else range(len(normal)):
                    if j == i:
                        continue
                    pair = (min(i, j), max(i, j))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    w.rel(
                        _R.NEIGHBOUR_OF,
                        _ref(_L.HOUSEHOLD, normal[pair[0]].hid),
                        _ref(_L.HOUSEHOLD, normal[pair[1]].hid),
                        _strength(d, 0.25, p_unknown),
                    )
        for h in hs:
            if h.tie_class != "one_tie":
                continue
            if len(normal) == 0:
                h.tie_class = "isolated"
                continue
            dist = (lat - h.lat) ** 2 + (lon - h.lon) ** 2
            other = normal[int(np.argmin(dist))]
            w.rel(
                _R.NEIGHBOUR_OF,
                _ref(_L.HOUSEHOLD, h.hid),
                _ref(_L.HOUSEHOLD, other.hid),
                {"strength": "weak"},
            )
        # KNOWS: adults of normal households know people of other normal households in the settlement
        adults = [(h, m) for h in normal for m in h.members if m.age >= 18]
        known: set[tuple[str, str]] = set()
        if len(normal) > 1:
            for h, m in adults:
                if not d.chance(0.35 if not m.hikikomori else 0.05):
                    continue
                for _ in range(1 + d.binom(1, 0.4)):
                    oh, om = d.pick(adults)
                    if oh is h or (m.pid, om.pid) in known or (om.pid, m.pid) in known:
                        continue
                    known.add((m.pid, om.pid))
                    r = d.u()
                    rel = next((name for p, name in _RELATIONS if r < p), None)
                    w.rel(
                        _R.KNOWS,
                        _ref(_L.PERSON, m.pid),
                        _ref(_L.PERSON, om.pid),
                        {**({"relation": rel} if rel else {}), **_strength(d, 0.3, p_unknown)},
                    )


def _block(
    spec: TownSpec, idx: _Index, seed: int, b: int, start: int, end: int, state: dict[str, Any]
) -> WriteBatch:
    rng = np.random.default_rng([seed, zlib.crc32(spec.town.encode()), b + 1])
    d = _Draws(rng)
    mix = spec.mix
    kinds = list(mix.shares)
    kind_idx = rng.choice(len(kinds), size=end - start, p=np.array([mix.shares[k] for k in kinds]))
    bounds = state["bounds"]  # cumulative settlement ends
    w = _BlockWriter(spec, idx, state)
    block: list[_Household] = []
    # locations: one draw per settlement segment of the block
    seg_start = start
    locs: list[tuple[float, float]] = []
    s = int(np.searchsorted(bounds, start, side="right"))
    while seg_start < end:
        seg_end = min(end, bounds[s])
        la, lo = spec.settlements[s].shape.sample(rng, seg_end - seg_start)
        locs.extend(zip(la.tolist(), lo.tolist(), strict=True))
        seg_start = seg_end
        s += 1
    for off, n in enumerate(range(start, end)):
        s = int(np.searchsorted(bounds, n, side="right"))
        local = n - (bounds[s - 1] if s else 0)
        st = spec.settlements[s]
        kind = kinds[int(kind_idx[off])]
        hid = f"{spec.town}-H{n + 1:07d}"
        members = _members(kind, d, hid, spec)
        remote = spec.area(st.area).remote
        flags = _flags(kind, members, d, remote)
        risk = (
            HouseholdFlag.SINGLE_ELDERLY in flags
            or HouseholdFlag.EIGHTY_FIFTY in flags
            or HouseholdFlag.HIKIKOMORI_MEMBER in flags
        )
        male_alone = kind == "single_elderly_man"
        x = d.u()
        p_iso = spec.isolated_rate * (3.0 if male_alone else 2.0 if risk else 0.6)
        tie_class = (
            "isolated"
            if x < p_iso
            else "one_tie"
            if x < p_iso + spec.one_tie_rate
            else "enclave"
            if x < p_iso + spec.one_tie_rate + spec.enclave_rate
            else "normal"
        )
        if tie_class in ("isolated", "enclave") and d.chance(0.5):
            # known to the 民生委員 or a neighbour as cut off: 社会的孤立 on record
            flags = sorted({*flags, HouseholdFlag.SOCIAL_ISOLATION}, key=list(HouseholdFlag).index)
        needy = any(m.care in _SEVERE_CARE for m in members) or bool(
            set(flags) & {HouseholdFlag.SINGLE_ELDERLY, HouseholdFlag.EIGHTY_FIFTY, HouseholdFlag.HOARDING}
        )
        needy = (
            needy or any(m.age >= 80 for m in members) or any(m.disability and m.age >= 65 for m in members)
        )
        lat, lon = locs[off]
        h = _Household(hid, s, local, st.area, lat, lon, members, flags, tie_class, needy)
        block.append(h)
        _household_rows(w, h, kind, d)
    _informal_ties(w, block, d)
    for off, h in enumerate(block):
        if h.tie_class == "normal":
            _formal_ties(w, h, d, start + off + 1)
    return WriteBatch(nodes=w.nodes, rels=w.rels)


def generate_town(spec: TownSpec, *, seed: int = 0, households: int | None = None) -> Iterator[WriteBatch]:
    """Stream the town: the fixed part first, then one batch per :data:`BLOCK` households.

    Parameters
    ----------
    spec
        The town (``loaders.demo.TOWNS["toba"]``, or :func:`loaders.demo.synthetic.synthetic_spec`).
    seed
        Same seed, same rows (byte for byte).
    households
        Number of households; default :attr:`TownSpec.default_households` (the published population).
    """
    n = spec.default_households if households is None else int(households)
    if n < 1:
        raise ValueError("households must be at least 1")
    head_rng = np.random.default_rng([seed, zlib.crc32(spec.town.encode()), 0])
    head, idx = _fixed_part(spec, n, head_rng)
    yield head
    counts = spec.settlement_counts(n)
    state: dict[str, Any] = {"bounds": np.cumsum(counts).tolist(), "seed": seed}
    for b, start in enumerate(range(0, n, BLOCK)):
        yield _block(spec, idx, seed, b, start, min(n, start + BLOCK), state)


def town_digest(spec: TownSpec, *, seed: int = 0, households: int | None = None) -> str:
    """SHA-256 of every generated row in canonical JSON: equal digests mean byte-identical towns."""
    hsh = hashlib.sha256()
    for batch in generate_town(spec, seed=seed, households=households):
        for nrow in batch.nodes:
            hsh.update(
                json.dumps(
                    [nrow.label.value, nrow.id, nrow.props], sort_keys=True, ensure_ascii=False
                ).encode()
            )
        for r in batch.rels:
            row = [r.type.value, str(r.src), str(r.dst), r.props]
            hsh.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
    return hsh.hexdigest()
