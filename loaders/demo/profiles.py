"""Participation profiles (参加支援のプロフィール) for the demo towns' participation candidates.

Candidates are people of working age in the situations the seed deck names for 参加支援: ひきこもり, a
disability without a service that fits (ages 16–64), and the adult child of an 8050 household. Each profile is
drawn from its own ``random.Random`` keyed by (seed, person id), so adding profiles leaves every other draw of
the town unchanged. Profiles follow :class:`matching.Profile` (validated in the tests).
"""

from __future__ import annotations

import json
import random
from typing import Any

__all__ = ["is_candidate", "participation_profile", "profile_json"]

# (concept, Japanese experience text) the demo draws skills from; the concepts are in matching's vocabulary.
_SKILLS = (
    ("cooking", "調理", "家で毎日料理をしていた"),
    ("office", "パソコン入力", "事務のアルバイト経験あり"),
    ("cleaning", "清掃", "清掃の仕事を3年"),
    ("farming", "畑仕事", "実家の畑を手伝っていた"),
    ("illustration", "イラスト", "絵を描くのが得意"),
    ("light_work", "袋詰め", "工場で軽作業の経験"),
    ("fishery", "網の手入れ", "漁の手伝いをしたことがある"),
    ("serving", "配膳", "飲食店でホールの経験"),
    ("crafts", "手芸", "手芸が趣味"),
)
_NEEDS = ("daytime_activity", "social_ties", "income", "belonging", "role", "work_practice")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat")


def is_candidate(age: int, *, hikikomori: bool, disability: bool, eighty_fifty_child: bool) -> bool:
    return 16 <= age <= 64 and (hikikomori or disability or eighty_fifty_child)


def participation_profile(
    pid: str,
    *,
    seed: int,
    age: int,
    hikikomori: bool,
    disability: bool,
    lat: float,
    lon: float,
    remote: bool,
) -> dict[str, Any]:
    """A plausible, synthetic profile for one candidate."""
    r = random.Random(f"{seed}:{pid}")
    skills = r.sample(_SKILLS, k=r.choice((1, 1, 2)))
    avoid: list[str] = []
    cannot: list[str] = []
    if hikikomori:
        comfort, readiness = r.choice((1, 1, 2)), r.choice((1, 2, 2, 3))
        avoid.append(r.choice(("接客", "人混み", "電話対応")))
        needs = ["belonging", "daytime_activity", *r.sample(("social_ties", "role"), k=1)]
    else:
        comfort, readiness = r.choice((2, 3, 3, 4)), r.choice((2, 3, 3, 4))
        needs = r.sample(_NEEDS, k=r.choice((1, 2, 3)))
    if disability and r.random() < 0.5:
        cannot.append(r.choice(("重い物を持つ", "長時間の立ち仕事")))
    days = sorted(r.sample(_DAYS, k=r.choice((2, 3, 4))), key=_DAYS.index)
    start = r.choice(("09:00", "10:00", "13:00"))
    end = {"09:00": "15:00", "10:00": "16:00", "13:00": "17:00"}[start]
    consent: dict[str, Any] = r.choice(
        (
            {"all_hosts": True},
            {"all_hosts": True},
            {"host_kinds": ["Venue", "Agency"]},
            {"host_kinds": ["Employer", "Venue", "Agency"]},
            {},  # not yet agreed: every host is excluded with 同意の範囲外
        )
    )
    modes = (
        ["walk", "bicycle"] if remote else r.choice((["walk", "bus"], ["bicycle", "bus"], ["walk", "pickup"]))
    )
    limit = "避けたい" if hikikomori else "苦手"
    free = (
        f"{skills[0][2]}。"
        + (f"{avoid[0]}は{limit}。" if avoid else "")
        + (f"{cannot[0]}は困難。" if cannot else "")
    )
    profile: dict[str, Any] = {
        "id": pid,
        "needs": needs,
        "experience": [s[2] for s in skills],
        "skills": [s[1] for s in skills],
        "interests": [r.choice(("農作業", "料理", "絵", "パソコン", "動物", "手芸"))],
        "avoid": avoid,
        "cannot_do": cannot,
        "time_windows": [{"weekday": d, "opens": start, "closes": end} for d in days],
        "max_hours_per_session": float(r.choice((2, 3, 3, 4))),
        "max_hours_per_week": float(r.choice((4, 6, 8, 12))),
        "max_physical_load": r.choice((2, 3, 3, 4)),
        "contact_comfort": comfort,
        "readiness": readiness,
        "travel": {"modes": modes, "max_km": float(r.choice((2, 3, 5, 8))) if not remote else 3.0},
        "home": {"lat": round(lat, 4), "lon": round(lon, 4), "approximate": True},
        "consent": consent,
        "age": age,
        "free_text": free,
    }
    return {k: v for k, v in profile.items() if v not in ([], {}, None)} | {"consent": consent}


def profile_json(profile: dict[str, Any]) -> str:
    """The store form (canonical JSON, as :func:`graphsvc.domain.codec.to_props` writes it)."""
    return json.dumps(profile, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
