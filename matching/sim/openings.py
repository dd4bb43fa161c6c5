"""Synthetic openings and a typical profile, for the rank bench, the outcome simulation and tests (no real data)."""

from __future__ import annotations

import numpy as np

from matching.records import Opening, Profile

__all__ = ["make_openings", "make_profile"]

_TITLES = [
    ("旅館の客室清掃 (プチ勤務)", ["清掃"], "petit_work", ["収入"]),
    ("旅館の朝食配膳", ["配膳"], "petit_work", ["収入"]),
    ("コミュニティカフェの調理補助", ["調理"], "intermediate_work", ["収入", "人とのつながり"]),
    ("農園の収穫作業", ["収穫"], "intermediate_work", ["日中活動", "収入"]),
    ("社協の宛名貼り・封入", ["封入"], "volunteer", ["日中活動"]),
    ("広報紙の挿絵作成", ["イラスト"], "remote_task", ["役割・やりがい"]),
    ("B型事業所のパソコン入力", ["データ入力"], "type_b_place", ["日中活動", "就労に向けた練習"]),
    ("拠点型サロンへの参加", [], "ibasho", ["居場所", "人とのつながり"]),
    ("漁港の網の手入れ", ["漁業"], "work_experience", ["収入"]),
    ("子ども食堂の配膳ボランティア", ["配膳"], "volunteer", ["人とのつながり", "役割・やりがい"]),
    ("養護老人ホームの空き室", [], "temporary_housing", ["住まい", "食事"]),
    ("公民館の受付と電話番", ["電話対応"], "petit_work", ["収入"]),
]
_DESCS = [
    "長時間の立ち仕事あり",
    "座ってできる作業",
    "ピークタイムは忙しい",
    "見学可。少人数",
    "重い物を運ぶことがある",
    "",
]
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def make_openings(n: int, *, seed: int = 0, lat: float = 34.48, lon: float = 136.84) -> list[Opening]:
    """``n`` random but plausible openings around (lat, lon)."""
    rng = np.random.default_rng(seed)
    out: list[Opening] = []
    for i in range(n):
        title, skills, kind, provides = _TITLES[int(rng.integers(len(_TITLES)))]
        remote = kind == "remote_task"
        schedule = None
        hours = None
        if kind not in ("remote_task", "temporary_housing"):
            start = int(rng.integers(8, 16))
            length = int(rng.integers(1, 5))
            days = rng.choice(7, size=int(rng.integers(1, 4)), replace=False)
            schedule = {
                "slots": [
                    {
                        "weekday": _DAYS[int(d)],
                        "opens": f"{start:02d}:00",
                        "closes": f"{start + length:02d}:00",
                    }
                    for d in sorted(days)
                ]
            }
            hours = float(rng.choice([h for h in (1, 1.5, 2, 3, 4) if h <= length] or [length]))
        support = [s for s in ("声かけ", "見守り", "送迎", "同行") if rng.random() < 0.3]
        out.append(
            Opening.model_validate(
                {
                    "id": f"O-{i:06d}",
                    "title": title,
                    "kind": kind,
                    "provides": provides,
                    "schedule": schedule,
                    "hours_per_session": hours,
                    "sessions_per_week_min": 1,
                    "difficulty": int(rng.integers(1, 6)),
                    "contact_load": int(rng.integers(1, 6)),
                    "physical_load": int(rng.integers(1, 6)),
                    "skills_wanted": skills,
                    "support": support,
                    "contact_person": "担当者" if rng.random() < 0.3 else None,
                    "capacity_left": int(rng.integers(0, 4)) if rng.random() < 0.8 else None,
                    "host_id": f"H-{int(rng.integers(200)):03d}",
                    "host_label": ["Employer", "Venue", "Agency"][int(rng.integers(3))],
                    "location": None
                    if remote
                    else {"lat": lat + float(rng.normal(0, 0.03)), "lon": lon + float(rng.normal(0, 0.03))},
                    "remote": remote,
                    "description": _DESCS[int(rng.integers(len(_DESCS)))] or None,
                }
            )
        )
    return out


def make_profile(*, lat: float = 34.48, lon: float = 136.84) -> Profile:
    """A typical person: cooking experience, limits on standing and hours, walking or pick-up."""
    return Profile.model_validate(
        {
            "id": "P-bench",
            "needs": ["収入", "人とのつながり"],
            "experience": ["調理"],
            "skills": ["パソコン入力"],
            "interests": ["農作業"],
            "avoid": ["人混み"],
            "time_windows": [{"weekday": d, "opens": "09:00", "closes": "16:00"} for d in _DAYS[:5]],
            "max_hours_per_session": 3,
            "max_hours_per_week": 9,
            "max_physical_load": 4,
            "contact_comfort": 3,
            "readiness": 3,
            "travel": {"modes": ["walk", "bus", "pickup"], "max_km": 5.0, "max_minutes": 45},
            "home": {"lat": lat, "lon": lon},
            "consent": {"host_kinds": ["Employer", "Venue", "Agency"]},
            "preferred_fields": ["地域"],
            "free_text": "調理経験あり、長時間の立ち仕事は困難。人と話すのは少し苦手",
        }
    )
