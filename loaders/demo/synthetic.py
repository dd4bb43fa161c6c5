"""A scalable synthetic town (``synthetic``) of any number of households, for benchmarks and scale tests.

Districts of about :data:`HOUSEHOLDS_PER_DISTRICT` households are tiled over inland farmland of the 上川盆地
(so every point is on land); each district has its own 地域包括支援センター, 障害者相談支援事業所, 子育て
支援, salons, a café, a 子ども食堂 and two employers with participation menus, so services grow with the town.
It is not a real municipality (no JMA code).
"""

from __future__ import annotations

import math

from graphsvc.domain.enums import AgencyKind as K
from graphsvc.domain.enums import AreaKind
from graphsvc.domain.enums import CollaborationLevel as C
from graphsvc.domain.enums import OpportunityKind as O
from graphsvc.domain.enums import Sector as S
from graphsvc.domain.enums import VenueKind as V
from loaders.demo.geo import LandShape, km_per_deg_lon
from loaders.demo.spec import (
    AgencySpec,
    AreaSpec,
    CollabSpec,
    EmployerSpec,
    Mix,
    OpportunitySpec,
    SettlementSpec,
    TownSpec,
    VenueSpec,
)

__all__ = ["HOUSEHOLDS_PER_DISTRICT", "synthetic_spec"]

HOUSEHOLDS_PER_DISTRICT = 5000
_ORIGIN = (43.70, 142.20)  # south-west corner of the tiling (上川盆地)
_STEP_KM = 3.0


def synthetic_spec(households: int, *, aging_rate: float = 0.30, town: str = "synthetic") -> TownSpec:
    """A town of ``households`` households in ``ceil(households / 5000)`` districts."""
    n_d = max(1, math.ceil(households / HOUSEHOLDS_PER_DISTRICT))
    cols = max(1, math.ceil(math.sqrt(n_d)))
    mix = Mix(aging_rate=aging_rate)
    areas = [AreaSpec("city", "合成市", AreaKind.MUNICIPALITY, *_ORIGIN)]
    settlements: list[SettlementSpec] = []
    agencies: list[AgencySpec] = [
        AgencySpec("fukushi", "合成市福祉事務所", K.WELFARE_OFFICE, (S.POVERTY,), "city", *_ORIGIN),
        AgencySpec(
            "jiritsu",
            "合成市自立相談支援機関",
            K.SELF_RELIANCE_SUPPORT,
            (S.POVERTY, S.EMPLOYMENT),
            "city",
            *_ORIGIN,
        ),
        AgencySpec(
            "shakyo", "合成市社会福祉協議会", K.SOCIAL_WELFARE_COUNCIL, (S.COMMUNITY,), "city", *_ORIGIN
        ),
        AgencySpec("kyoiku", "合成市教育委員会", K.BOARD_OF_EDUCATION, (S.EDUCATION,), "city", *_ORIGIN),
        AgencySpec("hoken", "合成市保健センター", K.PUBLIC_HEALTH, (S.HEALTH,), "city", *_ORIGIN),
        AgencySpec(
            "sanka", "合成市参加支援事業所", K.PARTICIPATION_SUPPORT, (S.EMPLOYMENT,), "city", *_ORIGIN
        ),
    ]
    venues: list[VenueSpec] = []
    employers: list[EmployerSpec] = []
    opps: list[OpportunitySpec] = []
    collabs = [
        CollabSpec("jiritsu", "fukushi", C.COORDINATION, "2015-04-01", 2),
        CollabSpec("jiritsu", "sanka", C.COOPERATION, "2020-04-01", 1),
    ]
    for i in range(n_d):
        r, c = divmod(i, cols)
        lat = _ORIGIN[0] + r * _STEP_KM / 110.574
        lon = _ORIGIN[1] + c * _STEP_KM / km_per_deg_lon(_ORIGIN[0])
        a = f"d{i + 1:04d}"
        areas.append(AreaSpec(a, f"第{i + 1}地区", AreaKind.DAILY_LIVING_AREA, lat, lon, parent="city"))
        share = min(HOUSEHOLDS_PER_DISTRICT, households - i * HOUSEHOLDS_PER_DISTRICT)
        settlements.append(
            SettlementSpec(f"{a}n", f"第{i + 1}地区 北", a, LandShape(lat + 0.004, lon, 0.6, 0.4), share)
        )
        settlements.append(
            SettlementSpec(f"{a}s", f"第{i + 1}地区 南", a, LandShape(lat - 0.004, lon, 0.6, 0.4), share)
        )
        agencies += [
            AgencySpec(
                f"{a}-houkatsu",
                f"第{i + 1}地区 地域包括支援センター",
                K.COMPREHENSIVE_CARE_CENTER,
                (S.ELDERLY,),
                a,
                lat,
                lon,
                district=a,
            ),
            AgencySpec(
                f"{a}-shougai",
                f"第{i + 1}地区 障害者相談支援事業所",
                K.DISABILITY_CONSULTATION,
                (S.DISABILITY,),
                a,
                lat,
                lon + 0.001,
                district=a,
            ),
            AgencySpec(
                f"{a}-kosodate",
                f"第{i + 1}地区 子育て支援センター",
                K.CHILD_USER_SUPPORT,
                (S.CHILD,),
                a,
                lat,
                lon - 0.001,
                district=a,
            ),
        ]
        collabs.append(CollabSpec(f"{a}-houkatsu", "shakyo", C.COOPERATION, "2016-04-01", 1))
        for j in range(3):
            venues.append(
                VenueSpec(
                    f"{a}-salon{j}",
                    f"第{i + 1}地区 サロン{j + 1}",
                    V.HOME_SALON,
                    a,
                    lat,
                    lon,
                    capacity=15,
                    schedule=(("tue", "10:00", "12:00"),),
                )
            )
        venues += [
            VenueSpec(
                f"{a}-hub", f"第{i + 1}地区 拠点サロン", V.HUB_SALON, a, lat, lon, audience="all", capacity=40
            ),
            VenueSpec(
                f"{a}-cafe",
                f"第{i + 1}地区 カフェ",
                V.COMMUNITY_CAFE,
                a,
                lat,
                lon,
                audience="youth",
                capacity=20,
            ),
            VenueSpec(
                f"{a}-shokudo",
                f"第{i + 1}地区 子ども食堂",
                V.KODOMO_SHOKUDO,
                a,
                lat,
                lon,
                audience="children",
                capacity=30,
            ),
        ]
        for j, (ind, title) in enumerate((("小売", "品出し"), ("農業", "収穫の手伝い"))):
            e = f"{a}-e{j}"
            employers.append(EmployerSpec(e, f"第{i + 1}地区 事業所{j + 1}", ind, a, lat, lon))
            opps.append(
                OpportunitySpec(
                    f"{e}-o",
                    f"{title} (プチ勤務)",
                    O.PETIT_WORK,
                    ("Employer", e),
                    2.0,
                    (("mon", "10:00", "12:00"),),
                    1 + j,
                    1,
                    2,
                    4,
                    2,
                )
            )
    return TownSpec(
        town=town,
        name="合成市",
        prefecture="北海道",
        jma_code=None,
        lat=_ORIGIN[0],
        lon=_ORIGIN[1],
        population=round(households * mix.expected("size")),
        area_km2=n_d * _STEP_KM**2,
        mix=mix,
        areas=tuple(areas),
        settlements=tuple(settlements),
        agencies=tuple(agencies),
        venues=tuple(venues),
        employers=tuple(employers),
        opportunities=tuple(opps),
        collaborations=tuple(collabs),
        households_per_minsei=200,
        supporters_per_1000_households=2.0,
        address_prefix="合成市",
    )
