"""What a demo town is made of: areas, settlements (land shapes), services, and its demographic mix.

A :class:`TownSpec` is plain data; :mod:`loaders.demo.generator` turns it into graph rows. The demographic
:class:`Mix` is solved in closed form so that the expected rates equal the published figures of
:mod:`loaders.demo.sources` (aging rate, living alone by sex, disability, ひきこもり), whatever the town's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from graphsvc.domain.enums import AgencyKind, AreaKind, CollaborationLevel, OpportunityKind, Sector, VenueKind
from loaders.demo import sources as src
from loaders.demo.geo import LandShape

__all__ = [
    "AgencySpec",
    "AreaSpec",
    "CollabSpec",
    "EmployerSpec",
    "HouseholdType",
    "Mix",
    "OpportunitySpec",
    "SettlementSpec",
    "TownSpec",
    "VenueSpec",
]

Slot = tuple[str, str, str]
"""(weekday, opens, closes), e.g. ("tue", "10:00", "12:00")."""


@dataclass(frozen=True)
class AreaSpec:
    key: str
    name: str
    kind: AreaKind
    lat: float
    lon: float
    parent: str | None = None
    remote: bool = False
    code: str | None = None


@dataclass(frozen=True)
class SettlementSpec:
    """A village or neighbourhood: households stand inside ``shape``. ``weight`` is its share of households."""

    key: str
    name: str
    area: str
    shape: LandShape
    weight: float
    postal_code: str | None = None


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    kind: AgencyKind
    sectors: tuple[Sector, ...]
    area: str
    lat: float
    lon: float
    serves: tuple[Sector, ...] | None = None
    """Sectors whose households it takes on (SUPPORTED_BY, HANDLED_BY); None: ``sectors``; (): none."""
    district: str | None = None
    """Serves only households of this area (a 圏域's 地域包括, say); None: the whole town."""
    weight: float = 1.0
    corporation: str | None = None
    services: tuple[str, ...] = ()
    caseload_limit: int | None = None
    address: str | None = None


@dataclass(frozen=True)
class VenueSpec:
    key: str
    name: str
    kind: VenueKind
    area: str
    lat: float
    lon: float
    audience: str = "elderly"
    """Who comes: ``elderly``, ``children``, ``youth`` (15–64 looking for a place), ``all``."""
    sectors: tuple[Sector, ...] = (Sector.COMMUNITY,)
    schedule: tuple[Slot, ...] = ()
    capacity: int = 20
    activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmployerSpec:
    key: str
    name: str
    industry: str
    area: str
    lat: float
    lon: float
    welfare_workplace: bool = False
    sectors: tuple[Sector, ...] = (Sector.EMPLOYMENT,)


@dataclass(frozen=True)
class OpportunitySpec:
    key: str
    title: str
    kind: OpportunityKind
    host: tuple[str, str]
    """(label, key): ("Employer", "ryokan1"), ("Venue", "cafe"), ("Agency", "sanbomichi")."""
    hours: float | None
    schedule: tuple[Slot, ...]
    difficulty: int
    contact_load: int
    physical_load: int
    capacity: int
    available: int
    description: str | None = None
    sectors: tuple[Sector, ...] = (Sector.EMPLOYMENT,)
    provides: tuple[str, ...] = ("日中活動",)
    skills_wanted: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    remote: bool = False


@dataclass(frozen=True)
class CollabSpec:
    a: str
    b: str
    level: CollaborationLevel
    since: str
    intensity: int = 1


# ------------------------------------------------------------------ demographic mix


@dataclass(frozen=True)
class HouseholdType:
    """Expected members of one household type: men 65+, women 65+, people under 65, people 15–64."""

    key: str
    men65: float
    women65: float
    under65: float
    aged15_64: float

    @property
    def size(self) -> float:
        return self.men65 + self.women65 + self.under65


KIDS_MEAN = 1.7  # children per couple with children: 1 + Binomial(2, 0.35)
SP_KIDS_MEAN = 1.5  # children of a single parent: 1 + Binomial(2, 0.25)
KID_15_17 = 3 / 18  # children are aged 0–17 uniformly
PC_COUPLE = 0.35  # parent_child: both parents alive
TG_COUPLE = 0.40  # three_gen: both grandparents alive
WIDOW_FEMALE = 0.8  # a lone elderly parent is a mother (women outlive men)

TYPES: dict[str, HouseholdType] = {
    t.key: t
    for t in (
        HouseholdType("single_elderly_man", 1, 0, 0, 0),
        HouseholdType("single_elderly_woman", 0, 1, 0, 0),
        HouseholdType("elderly_couple", 1, 1, 0, 0),
        HouseholdType(
            "parent_child",
            PC_COUPLE + (1 - PC_COUPLE) * (1 - WIDOW_FEMALE),
            PC_COUPLE + (1 - PC_COUPLE) * WIDOW_FEMALE,
            1,
            1,
        ),
        HouseholdType(
            "three_gen",
            TG_COUPLE + (1 - TG_COUPLE) * (1 - WIDOW_FEMALE),
            TG_COUPLE + (1 - TG_COUPLE) * WIDOW_FEMALE,
            2 + KIDS_MEAN,
            2 + KIDS_MEAN * KID_15_17,
        ),
        HouseholdType("single", 0, 0, 1, 1),
        HouseholdType("couple", 0, 0, 2, 2),
        HouseholdType("couple_kids", 0, 0, 2 + KIDS_MEAN, 2 + KIDS_MEAN * KID_15_17),
        HouseholdType("single_parent", 0, 0, 1 + SP_KIDS_MEAN, 1 + SP_KIDS_MEAN * KID_15_17),
        HouseholdType("couple_adult_child", 0, 0, 3, 3),
    )
}


@dataclass(frozen=True)
class Mix:
    """Household-type shares solved from the targets.

    Elderly people who do not live alone are spread over ``elderly_with_others`` (relative weights); people under
    65 over ``working`` households. Single elderly men and women are then exactly as many as make the
    living-alone rates of :mod:`sources` hold, and the weight of working households makes the aging rate hold.
    """

    aging_rate: float
    elderly_with_others: tuple[tuple[str, float], ...] = (
        ("elderly_couple", 0.55),
        ("parent_child", 0.25),
        ("three_gen", 0.20),
    )
    working: tuple[tuple[str, float], ...] = (
        ("single", 0.30),
        ("couple", 0.20),
        ("couple_kids", 0.40),
        ("single_parent", 0.06),
        ("couple_adult_child", 0.04),
    )
    alone_men: float = src.ALONE_RATE_65_MEN
    alone_women: float = src.ALONE_RATE_65_WOMEN
    hikikomori_rate: float = src.HIKIKOMORI_RATE_15_64
    hikikomori_in_parent_child: float = 0.12
    """Share of the adult children of parent_child (7040/8050) households in ひきこもり: far above the 2%."""
    disability_rate: float = src.DISABILITY_RATE
    disability_elderly_factor: float = 1.6

    @cached_property
    def shares(self) -> dict[str, float]:
        """type → probability of a household being of that type."""
        x = dict(self.elderly_with_others)
        men_x = sum(w * TYPES[k].men65 for k, w in x.items())
        women_x = sum(w * TYPES[k].women65 for k, w in x.items())
        under_x = sum(w * TYPES[k].under65 for k, w in x.items())
        p_men = self.alone_men / (1 - self.alone_men) * men_x
        p_women = self.alone_women / (1 - self.alone_women) * women_x
        elderly = p_men + p_women + men_x + women_x
        y = dict(self.working)
        under_y = sum(w * TYPES[k].under65 for k, w in y.items())
        y_weight = (elderly / self.aging_rate - elderly - under_x) / under_y
        if y_weight <= 0:
            raise ValueError(f"aging rate {self.aging_rate} cannot be reached with this mix")
        raw = {"single_elderly_man": p_men, "single_elderly_woman": p_women, **x}
        raw.update({k: w * y_weight for k, w in y.items()})
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items()}

    def expected(self, attr: str) -> float:
        """Expected value per household of a :class:`HouseholdType` attribute (``size``, ``aged15_64`` …)."""
        return sum(p * getattr(TYPES[k], attr) for k, p in self.shares.items())

    @cached_property
    def hikikomori_other(self) -> float:
        """ひきこもり probability of a 15–64 person outside the parent_child adult children."""
        n1564 = self.expected("aged15_64")
        n_pc = self.shares["parent_child"] * 1.0
        return max(
            0.0, (self.hikikomori_rate * n1564 - self.hikikomori_in_parent_child * n_pc) / (n1564 - n_pc)
        )

    @cached_property
    def disability_probs(self) -> tuple[float, float]:
        """(probability for a person 65+, for a person under 65) giving ``disability_rate`` overall."""
        a = self.aging_rate
        p_young = self.disability_rate / (self.disability_elderly_factor * a + (1 - a))
        return p_young * self.disability_elderly_factor, p_young


# ------------------------------------------------------------------ the town


@dataclass(frozen=True)
class TownSpec:
    """One demo town. ``households`` of :func:`generate_town` defaults to :attr:`default_households`."""

    town: str
    name: str
    prefecture: str
    jma_code: str | None
    """7-digit municipality code of the JMA polygons (reversejp); None for a synthetic town."""
    lat: float
    lon: float
    population: int
    area_km2: float
    mix: Mix
    areas: tuple[AreaSpec, ...]
    settlements: tuple[SettlementSpec, ...]
    agencies: tuple[AgencySpec, ...] = ()
    venues: tuple[VenueSpec, ...] = ()
    employers: tuple[EmployerSpec, ...] = ()
    opportunities: tuple[OpportunitySpec, ...] = ()
    collaborations: tuple[CollabSpec, ...] = ()
    households_per_minsei: int = 180
    supporters_per_1000_households: float = 0.0
    """サポーター・見守り協力員 besides 民生委員 (visits of needy households)."""
    hard_case_hub: str | None = None
    """Agency that leads most hard cases (a gap the 多機関協働 analysis should find)."""
    hard_case_hub_share: float = 0.0
    isolated_rate: float = 0.02
    one_tie_rate: float = 0.04
    enclave_rate: float = 0.006
    """Households in small closed groups (kin, friends, neighbours of each other) that no agency or supporter
    reaches: the isolated clusters the reachability analysis should find."""
    unknown_strength_rate: float = 0.15
    """Informal ties recorded without a strength (支え合いマップ often leave it blank): shown as 不明."""
    address_prefix: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def default_households(self) -> int:
        """Households that give the published population at the mix's expected household size."""
        return max(1, round(self.population / self.mix.expected("size")))

    def area(self, key: str) -> AreaSpec:
        for a in self.areas:
            if a.key == key:
                return a
        raise KeyError(key)

    def settlement_counts(self, households: int) -> list[int]:
        """Households per settlement (largest remainder, so they sum to ``households``)."""
        weights = [s.weight for s in self.settlements]
        total = sum(weights)
        exact = [households * w / total for w in weights]
        counts = [math.floor(e) for e in exact]
        order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))
        for i in order[: households - sum(counts)]:
            counts[i] += 1
        return counts
