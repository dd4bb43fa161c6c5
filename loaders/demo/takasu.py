"""鷹栖 (``takasu``): a demo town modelled on 北海道鷹栖町 (MHLW deck: 地域の居場所の中での中間的就労).

6,724 people, 139.42 km² (2021-08-31). A one-stop 生活福祉相談センター run by the town with the 社会福祉協議会;
a 要援護者台帳 (``Person.needs_support``) with 民生委員 and サポーター visits; 12 自宅型 and 3 拠点型 salons
(学習支援 for primary pupils at the hub salons); the 働きかけ応援事業 (中間的就労: カフェ運営, 畑作業, 事務作業,
消毒作業); 地域包括支援センター, 子育て包括支援センター, 教育委員会. Town names and postal codes are real
(日本郵便); points are placed inside the JMA municipal polygon; the town is inland farmland (上川盆地), so every
point is on land. Salon hosts and every person are fictional.

Gaps left on purpose: the 教育委員会 and the 地域包括支援センター share young-carer households but do not
collaborate; the 障がい者相談支援 office (in 旭川) knows the centre only at the awareness level; no 居住支援法人.
"""

from __future__ import annotations

from graphsvc.domain.enums import AgencyKind as K
from graphsvc.domain.enums import AreaKind
from graphsvc.domain.enums import CollaborationLevel as C
from graphsvc.domain.enums import OpportunityKind as O
from graphsvc.domain.enums import Sector as S
from graphsvc.domain.enums import VenueKind as V
from loaders.demo import sources as src
from loaders.demo.geo import LandShape
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

__all__ = ["TAKASU"]

OFFICE = (43.8433526, 142.3544509)  # 鷹栖町役場 (JpGeocode)

_AREAS = (
    AreaSpec("takasu", "鷹栖町", AreaKind.MUNICIPALITY, *OFFICE, code="014524"),
    AreaSpec("chuo", "中央地区 (南・北一条)", AreaKind.DISTRICT, 43.8430, 142.3540, parent="takasu"),
    AreaSpec("kitano", "北野地区", AreaKind.DISTRICT, 43.8230, 142.3230, parent="takasu"),
    AreaSpec("south_lines", "7〜12線地区", AreaKind.DISTRICT, 43.8650, 142.3350, parent="takasu"),
    AreaSpec("mid_lines", "13〜18線地区", AreaKind.DISTRICT, 43.8950, 142.3250, parent="takasu"),
    AreaSpec("north_lines", "19〜27線地区", AreaKind.DISTRICT, 43.9280, 142.3350, parent="takasu"),
)

_SETTLEMENTS = (
    SettlementSpec(
        "chuo", "南一条・南二条・北一条", "chuo", LandShape(43.8430, 142.3540, 0.9, 0.7), 1050, "071-1201"
    ),
    SettlementSpec(
        "kitano", "北野東・北野西", "kitano", LandShape(43.8230, 142.3230, 0.9, 0.8), 1000, "071-1231"
    ),
    SettlementSpec(
        "south_lines", "7線〜12線", "south_lines", LandShape(43.8650, 142.3350, 1.8, 1.2), 380, "071-1247"
    ),
    SettlementSpec(
        "mid_lines", "13線〜18線", "mid_lines", LandShape(43.8950, 142.3250, 1.8, 1.4), 260, "071-1253"
    ),
    SettlementSpec(
        "north_lines", "19線〜27線", "north_lines", LandShape(43.9280, 142.3350, 1.8, 1.4), 190, "071-1259"
    ),
)

_AGENCIES = (
    AgencySpec(
        "center",
        "鷹栖町生活福祉相談センター (ワンストップ)",
        K.ONE_STOP_CENTER,
        (S.POVERTY, S.ELDERLY, S.DISABILITY, S.CHILD),
        "chuo",
        43.8432,
        142.3547,
        serves=(S.POVERTY, S.DISABILITY, S.COMMUNITY),
        weight=2.0,
        corporation="鷹栖町・鷹栖町社会福祉協議会",
        services=("生活・困窮相談", "消費生活相談", "子ども・障害者・高齢者の福祉相談", "ケース共有会議"),
    ),
    AgencySpec(
        "shakyo",
        "鷹栖町社会福祉協議会",
        K.SOCIAL_WELFARE_COUNCIL,
        (S.COMMUNITY, S.ELDERLY),
        "chuo",
        43.8428,
        142.3552,
        serves=(S.COMMUNITY,),
        services=("お互い様づくり", "サロン支援", "働きかけ応援事業"),
    ),
    AgencySpec(
        "houkatsu",
        "鷹栖町地域包括支援センター",
        K.COMPREHENSIVE_CARE_CENTER,
        (S.ELDERLY,),
        "chuo",
        43.8436,
        142.3541,
        caseload_limit=80,
    ),
    AgencySpec(
        "kosodate",
        "鷹栖町子育て包括支援センター",
        K.CHILD_FAMILY_CENTER,
        (S.CHILD,),
        "chuo",
        43.8420,
        142.3530,
    ),
    AgencySpec(
        "kyoiku",
        "鷹栖町教育委員会",
        K.BOARD_OF_EDUCATION,
        (S.EDUCATION, S.CHILD),
        "chuo",
        43.8434,
        142.3545,
        serves=(S.EDUCATION, S.CHILD),
        weight=0.5,
    ),
    AgencySpec(
        "kenko",
        "鷹栖町健康福祉課 (保健師)",
        K.PUBLIC_HEALTH,
        (S.HEALTH, S.ELDERLY, S.DISABILITY),
        "chuo",
        43.8433,
        142.3544,
        serves=(S.HEALTH,),
    ),
    AgencySpec(
        "hatarakikake",
        "働きかけ応援事業 (社会福祉協議会)",
        K.PARTICIPATION_SUPPORT,
        (S.EMPLOYMENT, S.COMMUNITY),
        "chuo",
        43.8429,
        142.3551,
        serves=(S.EMPLOYMENT,),
        services=("中間的就労", "定着支援"),
    ),
    AgencySpec(
        "shinkokyoku",
        "上川総合振興局 社会福祉課 (福祉事務所)",
        K.WELFARE_OFFICE,
        (S.POVERTY,),
        "takasu",
        43.7710,
        142.3640,
        serves=(S.POVERTY,),
        weight=1.0,
        address="北海道旭川市",
    ),
    AgencySpec(
        "soudan",
        "障がい者相談支援事業所 (委託, 架空)",
        K.DISABILITY_CONSULTATION,
        (S.DISABILITY,),
        "takasu",
        43.7800,
        142.3550,
        address="北海道旭川市",
    ),
    AgencySpec(
        "hellowork",
        "ハローワーク旭川",
        K.EMPLOYMENT_OFFICE,
        (S.EMPLOYMENT,),
        "takasu",
        43.7660,
        142.3600,
        address="北海道旭川市",
    ),
    AgencySpec(
        "hikikomori",
        "北海道ひきこもり成年相談センター",
        K.HIKIKOMORI_CENTER,
        (S.POVERTY, S.HEALTH),
        "takasu",
        43.0640,
        141.3470,
        serves=(),
        address="北海道札幌市",
    ),
    AgencySpec("clinic", "鷹栖町の診療所 (架空)", K.MEDICAL, (S.HEALTH,), "chuo", 43.8440, 142.3560),
    AgencySpec(
        "care", "デイサービスたかす (架空)", K.CARE_PROVIDER, (S.ELDERLY,), "kitano", 43.8235, 142.3235
    ),
)

_HOME_SALON_AREAS = (
    ("chuo", 43.8445, 142.3500), ("chuo", 43.8410, 142.3585), ("chuo", 43.8460, 142.3570),
    ("kitano", 43.8250, 142.3200), ("kitano", 43.8210, 142.3270), ("kitano", 43.8260, 142.3280),
    ("south_lines", 43.8600, 142.3300), ("south_lines", 43.8700, 142.3400),
    ("mid_lines", 43.8900, 142.3200), ("mid_lines", 43.9000, 142.3300),
    ("north_lines", 43.9250, 142.3300), ("north_lines", 43.9320, 142.3400),
)  # fmt: skip
_HOME_NAMES = ("ひまわり", "すずらん", "なかよし", "ほっと", "えがお", "こもれび", "ひだまり", "たんぽぽ", "さくら",
               "あおぞら", "ゆうやけ", "はまなす")  # fmt: skip

_VENUES = (
    *(
        VenueSpec(
            f"home{i + 1:02d}",
            f"自宅型サロン「{_HOME_NAMES[i]}」",
            V.HOME_SALON,
            area,
            lat,
            lon,
            capacity=12,
            schedule=((("mon", "tue", "wed", "thu", "fri")[i % 5], "13:30", "15:30"),),
            activities=("茶話会",),
        )
        for i, (area, lat, lon) in enumerate(_HOME_SALON_AREAS)
    ),
    VenueSpec(
        "hub1",
        "拠点型サロン 中央",
        V.HUB_SALON,
        "chuo",
        43.8425,
        142.3535,
        audience="all",
        capacity=35,
        schedule=(("tue", "10:00", "15:00"), ("thu", "10:00", "15:00")),
        activities=("体操", "学習支援 (小学生)"),
    ),
    VenueSpec(
        "hub2",
        "拠点型サロン 北野",
        V.HUB_SALON,
        "kitano",
        43.8235,
        142.3225,
        audience="all",
        capacity=30,
        schedule=(("wed", "10:00", "15:00"),),
        activities=("茶話会", "学習支援 (小学生)"),
    ),
    VenueSpec(
        "hub3",
        "拠点型サロン 北部",
        V.HUB_SALON,
        "mid_lines",
        43.8960,
        142.3260,
        capacity=20,
        schedule=(("fri", "10:00", "14:00"),),
    ),
    VenueSpec(
        "cafe",
        "コミュニティカフェ (働きかけ応援事業)",
        V.COMMUNITY_CAFE,
        "chuo",
        43.8431,
        142.3555,
        audience="youth",
        capacity=20,
        sectors=(S.COMMUNITY, S.EMPLOYMENT),
        schedule=tuple((w, "10:00", "16:00") for w in ("mon", "tue", "wed", "thu", "fri")),
    ),
    VenueSpec(
        "farm",
        "みんなの畑",
        V.FARM,
        "south_lines",
        43.8620,
        142.3330,
        audience="youth",
        capacity=15,
        schedule=(("tue", "09:00", "12:00"), ("fri", "09:00", "12:00")),
    ),
    VenueSpec(
        "learning",
        "放課後学習教室",
        V.LEARNING_SUPPORT,
        "chuo",
        43.8438,
        142.3520,
        audience="children",
        capacity=20,
        sectors=(S.CHILD, S.EDUCATION),
        schedule=(("wed", "15:30", "17:30"),),
    ),
    VenueSpec(
        "shokudo",
        "たかす子ども食堂",
        V.KODOMO_SHOKUDO,
        "kitano",
        43.8240,
        142.3240,
        audience="children",
        capacity=25,
        sectors=(S.CHILD, S.COMMUNITY),
        schedule=(("sat", "11:30", "13:30"),),
    ),
)

_EMPLOYERS = (
    EmployerSpec(
        "b_type",
        "就労継続支援B型 たかすの杜 (架空)",
        "福祉 (就労継続支援B型)",
        "kitano",
        43.8220,
        142.3250,
        welfare_workplace=True,
        sectors=(S.DISABILITY, S.EMPLOYMENT),
    ),
    EmployerSpec("farm_co", "鷹栖の農家 (架空)", "農業", "mid_lines", 43.8940, 142.3240),
)

_OPPORTUNITIES = (
    OpportunitySpec(
        "cafe",
        "カフェ運営 (調理・配膳・接客)",
        O.INTERMEDIATE_WORK,
        ("Venue", "cafe"),
        3.0,
        (("mon", "10:00", "13:00"), ("wed", "10:00", "13:00"), ("fri", "10:00", "13:00")),
        2,
        3,
        2,
        5,
        2,
        provides=("日中活動", "収入", "居場所"),
        skills_wanted=("調理", "接客"),
        support=("声かけ", "見守り"),
    ),
    OpportunitySpec(
        "field",
        "畑作業 (作付け・収穫)",
        O.INTERMEDIATE_WORK,
        ("Venue", "farm"),
        3.0,
        (("tue", "09:00", "12:00"), ("fri", "09:00", "12:00")),
        1,
        1,
        4,
        6,
        3,
        description="5〜10月",
        provides=("日中活動", "収入"),
        skills_wanted=("農作業",),
        support=("見守り",),
    ),
    OpportunitySpec(
        "office",
        "事務作業 (宛名貼り・封詰め)",
        O.INTERMEDIATE_WORK,
        ("Agency", "shakyo"),
        2.0,
        (("tue", "13:00", "15:00"), ("thu", "13:00", "15:00")),
        1,
        1,
        1,
        4,
        2,
        provides=("日中活動", "収入"),
        support=("作業手順の見える化",),
    ),
    OpportunitySpec(
        "disinfect",
        "消毒作業 (公共施設)",
        O.INTERMEDIATE_WORK,
        ("Agency", "shakyo"),
        1.5,
        (("mon", "16:00", "17:30"), ("thu", "16:00", "17:30")),
        1,
        1,
        2,
        3,
        1,
        provides=("日中活動", "収入"),
    ),
    OpportunitySpec(
        "b_place",
        "B型事業所の空き定員",
        O.TYPE_B_PLACE,
        ("Employer", "b_type"),
        4.0,
        tuple((w, "10:00", "14:00") for w in ("mon", "tue", "wed", "thu", "fri")),
        2,
        2,
        2,
        20,
        2,
        sectors=(S.DISABILITY, S.EMPLOYMENT),
        provides=("日中活動", "工賃"),
    ),
    OpportunitySpec(
        "harvest",
        "収穫の手伝い (農家)",
        O.WORK_EXPERIENCE,
        ("Employer", "farm_co"),
        4.0,
        (("sat", "08:00", "12:00"),),
        2,
        1,
        4,
        3,
        2,
        provides=("収入",),
        skills_wanted=("農作業",),
    ),
    OpportunitySpec(
        "tutor",
        "学習支援の見守り",
        O.VOLUNTEER,
        ("Venue", "learning"),
        2.0,
        (("wed", "15:30", "17:30"),),
        2,
        3,
        1,
        3,
        1,
        sectors=(S.CHILD, S.COMMUNITY),
        provides=("役割",),
    ),
    OpportunitySpec(
        "salon_join",
        "拠点型サロンでの居場所参加",
        O.IBASHO,
        ("Venue", "hub1"),
        2.0,
        (("tue", "10:00", "12:00"),),
        1,
        2,
        1,
        10,
        6,
        sectors=(S.COMMUNITY,),
        provides=("居場所",),
    ),
)

_COLLABS = (
    CollabSpec("center", "shakyo", C.INTEGRATION, "2019-04-01", 3),
    CollabSpec("center", "houkatsu", C.COORDINATION, "2019-04-01", 2),
    CollabSpec("center", "kosodate", C.COORDINATION, "2019-04-01", 2),
    CollabSpec("center", "kenko", C.COORDINATION, "2019-04-01", 2),
    CollabSpec("center", "shinkokyoku", C.COOPERATION, "2019-04-01", 1),
    CollabSpec("center", "hatarakikake", C.INTEGRATION, "2020-04-01", 3),
    CollabSpec("soudan", "center", C.AWARENESS, "2020-04-01", 1),
    CollabSpec("kosodate", "kyoiku", C.COORDINATION, "2018-04-01", 2),
    CollabSpec("hatarakikake", "hellowork", C.COOPERATION, "2020-04-01", 1),
    CollabSpec("houkatsu", "care", C.COOPERATION, "2016-04-01", 1),
    CollabSpec("houkatsu", "clinic", C.COOPERATION, "2016-04-01", 1),
    # gaps: kyoiku–houkatsu (young carers), soudan–houkatsu, hikikomori centre unconnected
)

TAKASU = TownSpec(
    town="takasu",
    name="鷹栖町",
    prefecture="北海道",
    jma_code="0145200",
    lat=OFFICE[0],
    lon=OFFICE[1],
    population=src.TAKASU_POPULATION,
    area_km2=src.TAKASU_AREA_KM2,
    mix=Mix(aging_rate=src.TAKASU_AGING_RATE),
    areas=_AREAS,
    settlements=_SETTLEMENTS,
    agencies=_AGENCIES,
    venues=_VENUES,
    employers=_EMPLOYERS,
    opportunities=_OPPORTUNITIES,
    collaborations=_COLLABS,
    households_per_minsei=150,
    supporters_per_1000_households=8.0,
    hard_case_hub=None,
    isolated_rate=0.02,
    one_tie_rate=0.05,
    address_prefix="北海道上川郡鷹栖町",
    notes=("自宅型サロン12・拠点型サロン3", "要援護者台帳と民生委員・サポーターの訪問"),
)
