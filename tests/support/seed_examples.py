"""The seed deck's four 参加支援 examples (支援例①–④), retold as matching scenarios.

Each scenario is a synthetic person and a handful of realistic alternatives in one small town (coordinates
near 鳥羽市役所). The deck says which placement worked; the tests assert that :func:`matching.rank` puts it
first and that the reasons shown name what made it work. Persons and places are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.records import Opening, Profile

__all__ = ["SCENARIOS", "Scenario"]

_HOME = {"lat": 34.4811, "lon": 136.8433}


def _at(dlat: float, dlon: float) -> dict[str, float]:
    return {"lat": round(_HOME["lat"] + dlat, 5), "lon": round(_HOME["lon"] + dlon, 5)}


@dataclass(frozen=True)
class Scenario:
    """A person, the alternatives, the opening the deck's example chose, and words its reasons must show."""

    key: str
    summary: str
    profile: Profile
    openings: tuple[Opening, ...]
    expected_first: str
    reason_keywords: tuple[str, ...]


_ALL = {"all_hosts": True}

# ① 片麻痺で退職した元料理人 → 男性の料理教室の講師
_cook = Scenario(
    key="former_cook",
    summary="支援例①: 片麻痺のため店の調理場を退職し地域で孤立した元料理人。調理の経験を、身体に無理のない形で活かす",
    profile=Profile.model_validate(
        {
            "id": "SEED-1",
            "needs": ["役割・やりがい", "人とのつながり"],
            "experience": ["和食店の料理人として25年"],
            "skills": ["調理", "仕込み"],
            "avoid": ["長時間の立ち仕事"],
            "time_windows": [
                {"weekday": "wed", "opens": "09:00", "closes": "15:00"},
                {"weekday": "sat", "opens": "09:00", "closes": "15:00"},
            ],
            "max_hours_per_session": 3,
            "max_physical_load": 3,
            "contact_comfort": 3,
            "readiness": 3,
            "travel": {"modes": ["walk", "pickup"], "max_km": 2.0},
            "home": _HOME,
            "consent": _ALL,
            "age": 62,
            "free_text": "片麻痺があり、もうお店で調理はできない。調理経験あり、長時間の立ち仕事は困難",
        }
    ),
    openings=tuple(
        Opening.model_validate(o)
        for o in (
            {
                "id": "S1-restaurant",
                "title": "食堂の厨房 仕込み補助",
                "kind": "petit_work",
                "provides": ["収入"],
                "schedule": {"slots": [{"weekday": "sat", "opens": "10:00", "closes": "13:00"}]},
                "hours_per_session": 3,
                "difficulty": 3,
                "contact_load": 2,
                "physical_load": 3,
                "skills_wanted": ["調理"],
                "capacity_left": 1,
                "host_id": "E-shokudo",
                "host_label": "Employer",
                "location": _at(0.004, 0.003),
                "description": "ランチ前の仕込み。長時間の立ち仕事、ピークタイムは忙しい",
            },
            {
                "id": "S1-cooking-class",
                "title": "男性の料理教室の講師",
                "kind": "volunteer",
                "provides": ["役割・やりがい", "人とのつながり"],
                "schedule": {"slots": [{"weekday": "sat", "opens": "10:00", "closes": "12:00"}]},
                "hours_per_session": 2,
                "difficulty": 2,
                "contact_load": 3,
                "physical_load": 2,
                "skills_wanted": ["調理", "教える"],
                "support": ["アシスタント", "声かけ"],
                "contact_person": "参加支援員 佐藤",
                "capacity_left": 1,
                "host_id": "V-jichikai",
                "host_label": "Venue",
                "location": _at(0.006, -0.004),
                "accessibility": ["椅子あり", "立ち仕事なし"],
                "description": "自治会の男性の集まりで、手順を説明しながら一緒に作る",
            },
            {
                "id": "S1-cleaning",
                "title": "公共施設の清掃",
                "kind": "petit_work",
                "provides": ["収入", "日中活動"],
                "schedule": {"slots": [{"weekday": "wed", "opens": "09:00", "closes": "11:00"}]},
                "hours_per_session": 2,
                "difficulty": 1,
                "contact_load": 1,
                "physical_load": 3,
                "skills_wanted": ["清掃"],
                "capacity_left": 2,
                "host_id": "A-city",
                "host_label": "Agency",
                "location": _at(-0.003, 0.002),
            },
            {
                "id": "S1-salon",
                "title": "拠点型サロンへの参加",
                "kind": "ibasho",
                "provides": ["居場所", "人とのつながり"],
                "schedule": {"slots": [{"weekday": "wed", "opens": "13:00", "closes": "15:00"}]},
                "hours_per_session": 2,
                "difficulty": 1,
                "contact_load": 3,
                "physical_load": 1,
                "capacity_left": 5,
                "host_id": "V-salon",
                "host_label": "Venue",
                "location": _at(0.002, 0.001),
                "description": "お茶を飲みながらおしゃべり",
            },
        )
    ),
    expected_first="S1-cooking-class",
    reason_keywords=("調理", "料理教室の講師", "役割", "上限3時間以内"),
)

# ② ひきこもりの若者、イラストが得意、人と接するのが苦手 → 広報紙の挿絵作成 (在宅、メールで打合せ)
_illustrator = Scenario(
    key="young_illustrator",
    summary="支援例②: ひきこもりの若者。イラストが得意で、人と会って話すのは苦手。在宅で挿絵を描き、打合せはメール",
    profile=Profile.model_validate(
        {
            "id": "SEED-2",
            "needs": ["役割・やりがい", "日中活動"],
            "skills": ["イラスト"],
            "interests": ["漫画", "デザイン"],
            "time_windows": [
                {"weekday": d, "opens": "13:00", "closes": "18:00"}
                for d in ("mon", "tue", "wed", "thu", "fri")
            ],
            "max_hours_per_session": 3,
            "contact_comfort": 1,
            "readiness": 2,
            "max_physical_load": 3,
            "travel": {"modes": ["bicycle"], "max_km": 5.0},
            "home": _at(0.01, 0.01),
            "consent": {"host_kinds": ["Agency", "Venue", "Employer"]},
            "age": 24,
            "free_text": "人と話すのは苦手だけど、絵を描くのは得意",
        }
    ),
    openings=tuple(
        Opening.model_validate(o)
        for o in (
            {
                "id": "S2-cafe",
                "title": "コミュニティカフェのホール",
                "kind": "intermediate_work",
                "provides": ["日中活動", "人とのつながり", "収入"],
                "schedule": {"slots": [{"weekday": "tue", "opens": "13:00", "closes": "16:00"}]},
                "hours_per_session": 3,
                "difficulty": 2,
                "contact_load": 4,
                "physical_load": 2,
                "skills_wanted": ["接客"],
                "support": ["見守り"],
                "capacity_left": 1,
                "host_id": "V-cafe",
                "host_label": "Venue",
                "location": _at(0.012, 0.008),
            },
            {
                "id": "S2-illustration",
                "title": "広報紙の挿絵作成",
                "kind": "remote_task",
                "provides": ["役割・やりがい", "日中活動"],
                "difficulty": 2,
                "contact_load": 1,
                "physical_load": 1,
                "skills_wanted": ["イラスト"],
                "support": ["メール", "声かけ"],
                "contact_person": "福祉事業所 広報担当",
                "capacity_left": 1,
                "host_id": "A-fukushi",
                "host_label": "Agency",
                "remote": True,
                "description": "挿絵の打合せはメールで。締切に余裕あり",
            },
            {
                "id": "S2-poster-workshop",
                "title": "祭りのポスター制作ワークショップ",
                "kind": "volunteer",
                "provides": ["役割・やりがい", "人とのつながり"],
                "schedule": {"slots": [{"weekday": "thu", "opens": "14:00", "closes": "16:00"}]},
                "hours_per_session": 2,
                "difficulty": 3,
                "contact_load": 4,
                "physical_load": 1,
                "skills_wanted": ["デザイン"],
                "capacity_left": 3,
                "host_id": "V-kominkan",
                "host_label": "Venue",
                "location": _at(0.015, 0.02),
                "description": "大人数で話し合いながら作る",
            },
            {
                "id": "S2-farm",
                "title": "農園の収穫作業",
                "kind": "intermediate_work",
                "provides": ["日中活動", "収入"],
                "schedule": {"slots": [{"weekday": "wed", "opens": "14:00", "closes": "16:00"}]},
                "hours_per_session": 2,
                "difficulty": 1,
                "contact_load": 2,
                "physical_load": 3,
                "support": ["見守り"],
                "capacity_left": 2,
                "host_id": "V-farm",
                "host_label": "Venue",
                "location": _at(0.02, -0.01),
            },
        )
    ),
    expected_first="S2-illustration",
    reason_keywords=("イラスト", "在宅", "対人負荷1", "メール"),
)

# ③ 8050世帯、親が他界、一人で食事の準備ができない50代男性 → 養護老人ホームの空き室 (一時的住まい)
_housing = Scenario(
    key="eighty_fifty_housing",
    summary="支援例③: 8050世帯で老親が他界し、ひきこもりだった50代男性が単身に。食事の準備が一人では難しい",
    profile=Profile.model_validate(
        {
            "id": "SEED-3",
            "needs": ["住まい", "食事", "生活上の支援"],
            "contact_comfort": 2,
            "readiness": 1,
            "max_physical_load": 3,
            "travel": {"modes": ["walk"], "max_km": 3.0},
            "home": _HOME,
            "consent": {
                "opportunity_kinds": [
                    "一時的住まい",
                    "居場所参加",
                    "ボランティア",
                    "就労継続支援B型の空き定員",
                ]
            },
            "age": 54,
            "free_text": "一人で食事の準備をするのは難しい。人と話すのは不安",
        }
    ),
    openings=tuple(
        Opening.model_validate(o)
        for o in (
            {
                "id": "S3-nursing-home-room",
                "title": "養護老人ホームの空き室",
                "kind": "temporary_housing",
                "provides": ["住まい", "食事", "生活上の支援"],
                "difficulty": 1,
                "contact_load": 2,
                "physical_load": 1,
                "support": ["見守り", "声かけ"],
                "contact_person": "生活相談員",
                "capacity_left": 1,
                "host_id": "A-yogo",
                "host_label": "Agency",
                "location": _at(0.015, 0.01),
                "description": "居室と食事を一時的に提供。参加支援事業者が訪問して退所に向けて相談",
            },
            {
                "id": "S3-apartment",
                "title": "居住支援法人のアパート",
                "kind": "temporary_housing",
                "provides": ["住まい"],
                "difficulty": 2,
                "contact_load": 1,
                "physical_load": 1,
                "capacity_left": 2,
                "host_id": "A-kyoju",
                "host_label": "Agency",
                "location": _at(0.01, 0.0),
                "description": "家具付き。食事は自炊",
            },
            {
                "id": "S3-kodomo-shokudo",
                "title": "子ども食堂の調理ボランティア",
                "kind": "volunteer",
                "provides": ["食事", "人とのつながり"],
                "schedule": {"slots": [{"weekday": "fri", "opens": "16:00", "closes": "19:00"}]},
                "hours_per_session": 3,
                "difficulty": 2,
                "contact_load": 4,
                "physical_load": 2,
                "skills_wanted": ["調理"],
                "capacity_left": 3,
                "host_id": "V-shokudo",
                "host_label": "Venue",
                "location": _at(0.003, 0.001),
            },
            {
                "id": "S3-type-b",
                "title": "就労継続支援B型の軽作業",
                "kind": "type_b_place",
                "provides": ["日中活動", "収入"],
                "schedule": {"slots": [{"weekday": "mon", "opens": "10:00", "closes": "15:00"}]},
                "hours_per_session": 4,
                "difficulty": 2,
                "contact_load": 2,
                "physical_load": 2,
                "support": ["見守り"],
                "capacity_left": 1,
                "host_id": "E-b-kobo",
                "host_label": "Employer",
                "location": _at(0.005, 0.005),
            },
        )
    ),
    expected_first="S3-nursing-home-room",
    reason_keywords=("住まい", "食事", "見守り"),
)

# ④ 障害福祉サービスの対象外、コミュニケーションが苦手、パソコン作業 → B型事業所の空き定員 (声かけ・見守り)
_office = Scenario(
    key="type_b_spare_place",
    summary="支援例④: 障害者総合支援法のサービスの対象外で、人とのコミュニケーションが苦手な就労前の人。パソコン作業がしたい",
    profile=Profile.model_validate(
        {
            "id": "SEED-4",
            "needs": ["日中活動", "就労に向けた練習"],
            "skills": ["パソコン入力"],
            "interests": ["事務"],
            "cannot_do": ["電話対応"],
            "time_windows": [
                {"weekday": d, "opens": "09:30", "closes": "15:00"}
                for d in ("mon", "tue", "wed", "thu", "fri")
            ],
            "max_hours_per_session": 4,
            "max_hours_per_week": 12,
            "contact_comfort": 2,
            "readiness": 2,
            "travel": {"modes": ["bus", "walk"], "max_minutes": 40},
            "home": _at(-0.01, 0.005),
            "consent": _ALL,
            "age": 35,
            "certificates": [],
            "free_text": "人とのコミュニケーションが苦手。パソコン入力はできる",
        }
    ),
    openings=tuple(
        Opening.model_validate(o)
        for o in (
            {
                "id": "S4-type-b-spare",
                "title": "就労継続支援B型事業所の空き定員 (パソコン入力)",
                "kind": "type_b_place",
                "provides": ["日中活動", "就労に向けた練習", "収入"],
                "schedule": {
                    "slots": [
                        {"weekday": d, "opens": "10:00", "closes": "14:00"} for d in ("mon", "wed", "fri")
                    ]
                },
                "hours_per_session": 3,
                "difficulty": 2,
                "contact_load": 2,
                "physical_load": 1,
                "skills_wanted": ["データ入力"],
                "support": ["声かけ", "見守り"],
                "contact_person": "サービス管理責任者",
                "capacity_left": 2,
                "host_id": "E-b-pc",
                "host_label": "Employer",
                "location": _at(-0.015, 0.01),
                "description": "参加支援事業の枠で利用者と同じ作業を行う",
            },
            {
                "id": "S4-type-b-regular",
                "title": "就労継続支援B型 (通常利用) のデータ入力",
                "kind": "type_b_place",
                "provides": ["日中活動", "収入"],
                "schedule": {"slots": [{"weekday": "tue", "opens": "10:00", "closes": "14:00"}]},
                "hours_per_session": 3,
                "difficulty": 2,
                "contact_load": 2,
                "physical_load": 1,
                "skills_wanted": ["データ入力"],
                "support": ["声かけ", "見守り"],
                "capacity_left": 3,
                "host_id": "E-b-pc",
                "host_label": "Employer",
                "location": _at(-0.015, 0.01),
                "eligibility": {"requires": ["障害福祉サービス受給者証"]},
            },
            {
                "id": "S4-office",
                "title": "商工会の事務補助",
                "kind": "work_experience",
                "provides": ["日中活動", "収入", "就労に向けた練習"],
                "schedule": {"slots": [{"weekday": "thu", "opens": "10:00", "closes": "13:00"}]},
                "hours_per_session": 3,
                "difficulty": 4,
                "contact_load": 3,
                "physical_load": 1,
                "skills_wanted": ["PC", "事務"],
                "capacity_left": 1,
                "host_id": "E-shokokai",
                "host_label": "Employer",
                "location": _at(0.0, 0.0),
                "description": "来客対応あり",
            },
            {
                "id": "S4-call",
                "title": "観光案内所の電話受付",
                "kind": "petit_work",
                "provides": ["収入"],
                "schedule": {"slots": [{"weekday": "mon", "opens": "10:00", "closes": "13:00"}]},
                "hours_per_session": 3,
                "difficulty": 3,
                "contact_load": 4,
                "physical_load": 1,
                "skills_wanted": ["電話対応", "パソコン"],
                "capacity_left": 1,
                "host_id": "E-kanko",
                "host_label": "Employer",
                "location": _at(0.001, 0.002),
            },
            {
                "id": "S4-envelopes",
                "title": "社協の封入作業",
                "kind": "volunteer",
                "provides": ["日中活動"],
                "schedule": {"slots": [{"weekday": "tue", "opens": "10:00", "closes": "12:00"}]},
                "hours_per_session": 2,
                "difficulty": 1,
                "contact_load": 2,
                "physical_load": 1,
                "skills_wanted": ["封入"],
                "capacity_left": 0,
                "host_id": "A-shakyo",
                "host_label": "Agency",
                "location": _at(-0.005, 0.0),
            },
        )
    ),
    expected_first="S4-type-b-spare",
    reason_keywords=("事務・PC作業", "声かけ", "見守り", "就労に向けた練習"),
)

SCENARIOS: dict[str, Scenario] = {s.key: s for s in (_cook, _illustrator, _housing, _office)}
"""The four scenarios by key."""
