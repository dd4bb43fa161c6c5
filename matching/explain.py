"""Japanese sentences for each factor of a (profile, opening) score.

Sentences name the concrete things that decided the value (「調理の経験が募集内容『料理教室の講師』と合致」,
「1回2時間で、希望する上限3時間以内」) so a coordinator can check them against what they know of the person.
Only the top of a ranking is explained (this module is per pair, in Python).

Factors with weight 0 (the expert's ``pickup``) are left out, and the facts in :data:`SHOWN_WHEN_PRESENT`
(``pickup``: 「送迎あり (受け入れ先の送迎を利用)」) are listed only when present (value > 0), so that a learned
scorer's explanations do not gain a 「送迎なし」 line for every opening.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matching.constraints import Constraints
from matching.factors import PENALTIES, ProfileVector, limit_hits, meets, presence, reference_km, wish_hits
from matching.index import OpeningIndex
from matching.records import TravelMode
from matching.statements import POLARITY_JA, STRENGTH_JA, Statement

__all__ = ["FACTOR_LABELS", "SHOWN_WHEN_PRESENT", "Factor", "explain_pair"]

FACTOR_LABELS: dict[str, tuple[str, str]] = {
    "skills": ("経験・技能", "skills and experience"),
    "interests": ("興味", "interests"),
    "needs": ("求めるもの", "needs covered"),
    "contact": ("対人負荷", "contact load"),
    "physical": ("身体負荷", "physical load"),
    "readiness": ("難易度と参加の段階", "difficulty against readiness"),
    "distance": ("距離", "distance"),
    "hours": ("時間", "session hours"),
    "support": ("受け入れ先の支援", "host support"),
    "fields": ("希望分野", "preferred fields"),
    "outcomes": ("過去の結果", "past outcomes"),
    "text": ("文面の類似", "text similarity"),
    "avoid": ("避けたいこと", "things to avoid"),
    "pickup": ("送迎", "pick-up by the host"),
    "limits": ("本人の言葉の制約", "hard limits in the person's words"),
    "conditions": ("本人の言葉の希望・条件", "settings the person's words ask for"),
}
SHOWN_WHEN_PRESENT: frozenset[str] = frozenset({"pickup"})
"""Factors that are facts rather than degrees: explained only when present (value > 0), never as 「…なし」."""


@dataclass(frozen=True)
class Factor:
    """One factor of a score: its value in [0, 1], weight, signed contribution and a Japanese reason."""

    name: str
    label_ja: str
    label_en: str
    value: float
    weight: float
    contribution: float
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "label": self.label_ja,
            "label_en": self.label_en,
            "value": round(self.value, 4),
            "weight": round(self.weight, 4),
            "contribution": round(self.contribution, 4),
            "reason": self.reason,
        }


def _j(labels: list[str]) -> str:
    return "・".join(labels)


def _quote(st: Statement) -> str:
    s = st.sentence if len(st.sentence) <= 40 else st.sentence[:39] + "…"
    return f"『{s}』"


_SOURCE_JA = {
    "free_text": "本人の記述",
    "experience": "経験の記述",
    "skills": "できることの記述",
    "interests": "興味の記述",
    "cannot_do": "できないことの記述",
    "avoid": "避けたいことの記述",
    "preferred_fields": "希望分野の記述",
    "contact_channels": "連絡の方法",
}


def _said(st: Statement) -> str:
    """Where a statement was written, with its words: 「本人の記述『…』」「制約の一覧『電話 (例外: …)』」."""
    where = "制約の一覧" if st.source.startswith("limits") else _SOURCE_JA.get(st.source, "本人の記述")
    return f"{where}{_quote(st)}"


def _found(st: Statement, label: str) -> str:
    """How a concept was read: 「『機械いじり』を修理・機械いじりに近いと判断 (類似度0.76)」 when by similarity."""
    if st.similarity is not None:
        return f"『{st.evidence}』を{label}に近いと判断 (類似度{st.similarity:.2f})"
    return label


def _by_concept(statements: tuple[Statement, ...], concepts: set[str], polarity: set[str]) -> list[Statement]:
    out: dict[str, Statement] = {}
    for st in sorted(statements, key=lambda x: (x.similarity is not None, x.source == "free_text")):
        if st.concept in concepts and st.polarity in polarity and st.concept not in out:
            out[st.concept] = st
    return [out[c] for c in sorted(out)]


def _km1(cons: Constraints, i: int) -> np.ndarray:
    return np.array([float(cons.km[i])])


def _reason(name: str, v: float, pv: ProfileVector, index: OpeningIndex, i: int, cons: Constraints) -> str:
    o = index.openings[i]
    p = pv.profile
    vocab = index.vocabulary
    lab = vocab.label
    if name == "skills":
        wanted = {c for c in vocab.lookup_all(o.skills_wanted) if vocab.concepts[c].kind == "task"}
        basis = wanted or set(index.task_sets[i])
        hit = sorted(basis & pv.skills)
        if hit:
            sts = {st.concept: st for st in _by_concept(pv.statements, set(hit), {"can"})}
            names = [_found(sts[c], lab(c)) if c in sts else lab(c) for c in hit]
            quote = next((_quote(sts[c]) for c in hit if c in sts and sts[c].source == "free_text"), "")
            if quote:
                s = f"本人の記述{quote}から{_j(names)}ができると判断し、募集内容『{o.title}』と合致"
            else:
                s = f"{_j(names)}の経験が募集内容『{o.title}』と合致"
            miss = sorted(wanted - pv.skills)
            return s + (f" (不足: {_j([lab(c) for c in miss])})" if miss else "")
        if wanted:
            return f"募集が求める{_j([lab(c) for c in sorted(wanted)])}の経験は確認できない"
        return "経験・技能と募集内容の重なりなし"
    if name == "interests":
        hit = sorted(index.task_sets[i] & (pv.interests | pv.preferred_concepts))
        if hit:
            sts = {st.concept: st for st in _by_concept(pv.statements, set(hit), {"want"})}
            names = [_found(sts[c], lab(c)) if c in sts else lab(c) for c in hit]
            quote = next((_quote(sts[c]) for c in hit if c in sts and sts[c].source == "free_text"), "")
            return f"興味のある{_j(names)}に関われる" + (f" (本人の記述{quote})" if quote else "")
        return "興味と重なる作業なし"
    if name == "needs":
        if not pv.needs:
            return "求めるものの指定なし"
        got = [n for n in p.needs if n in o.provides]
        miss = [n for n in p.needs if n not in o.provides]
        parts = []
        if got:
            parts.append(f"求める{_j([lab(n) for n in got])}をこの参加先が提供")
        if miss:
            parts.append(f"{_j([lab(n) for n in miss])}はここでは得られない")
        return "。".join(parts)
    unset = p.model_fields_set
    if name == "contact":
        if "contact_comfort" not in unset:
            rel = "以内" if o.contact_load <= p.contact_comfort else "を上回る"
            return (
                f"対人負荷{o.contact_load}。対人面の耐性は未入力 (既定{p.contact_comfort}で計算すると{rel})"
            )
        if o.contact_load <= p.contact_comfort:
            return f"対人負荷{o.contact_load}で、本人の対人面の耐性{p.contact_comfort}以内"
        return f"対人負荷{o.contact_load}が本人の対人面の耐性{p.contact_comfort}を上回る"
    if name == "physical":
        if "max_physical_load" not in unset:
            return f"身体負荷{o.physical_load}。身体負荷の上限は未入力 (既定{p.max_physical_load}で計算)"
        if o.physical_load < p.max_physical_load:
            return f"身体負荷{o.physical_load}で、上限{p.max_physical_load}以内"
        return f"身体負荷{o.physical_load}は上限{p.max_physical_load}ちょうど"
    if name == "readiness":
        if "readiness" not in unset:
            return f"難易度{o.difficulty}。段階は未入力 (既定{p.readiness}で計算)"
        if o.difficulty <= p.readiness:
            return f"難易度{o.difficulty}で、参加の段階{p.readiness}に合う"
        return f"難易度{o.difficulty}が参加の段階{p.readiness}より高い"
    if name == "distance":
        if o.remote:
            return "在宅・遠隔でできる (移動なし)"
        km = float(cons.km[i])
        if math.isnan(km):
            return "位置情報がないため距離は中立に評価"
        minutes = float(cons.minutes[i])
        how = "送迎あり" if bool(cons.uses_pickup[i]) else _fastest_mode(pv)
        t = f"、{how}で片道約{minutes:.0f}分" if math.isfinite(minutes) else ""
        note = " 住まいのため移動の上限は適用しない" if bool(index.relocation[i]) else ""
        return f"自宅から{km:.1f}km{t} (基準{reference_km(p):.1f}km){note}"
    if name == "hours":
        h = o.session_hours
        if h is None:
            return "1回の時間の定めなし"
        if p.max_hours_per_session is not None:
            return f"1回{h:g}時間で、希望する上限{p.max_hours_per_session:g}時間以内"
        return f"1回{h:g}時間"
    if name == "support":
        items = [lab(s) for s in sorted(index.support_sets[i] - {"pickup", "barrier_free"})]
        if o.contact_person:
            items.append(f"担当者 {o.contact_person}")
        if not items:
            return "受け入れ先の支援の記載なし"
        return f"受け入れ先の支援: {_j(items)}"
    if name == "fields":
        if v > 0:
            return f"希望分野 ({_j(p.preferred_fields)}) に該当"
        return "希望分野には該当しない" if p.preferred_fields else "希望分野の指定なし"
    if name == "outcomes":
        if o.id in pv.past_bad or (o.host_id and o.host_id in pv.past_bad):
            return "以前この受け入れ先での参加が早期に終了している"
        if o.id in pv.past_good or (o.host_id and o.host_id in pv.past_good):
            return "以前この受け入れ先での参加が続いた"
        if abs(v - 0.5) < 1e-9:
            return "過去の結果の記録なし (中立)"
        return f"この参加先の定着率の推定 {v:.0%}"
    if name == "text":
        return f"経験・興味の記述と募集の文面の類似度 {v:.2f} (同点時の目安)"
    if name == "avoid":
        one = np.array([i])
        hits = [st for st in pv.soft_limits if bool(limit_hits(st, pv, index, one, _km1(cons, i))[0])]
        if hits:
            seen: dict[str, Statement] = {}
            for st in hits:
                seen.setdefault(st.concept, st)
            parts = []
            for c, st in seen.items():
                src = _said(st)
                parts.append(
                    f"「{_found(st, lab(c))}」({src}: {POLARITY_JA[st.polarity]}・{STRENGTH_JA[st.strength]})"
                )
            return "本人が避けたい・苦手とする" + "、".join(parts) + "を含む"
        exempt = [
            st
            for st in pv.soft_limits
            if st.condition is not None and bool(presence(st.concept, pv, index, one, _km1(cons, i))[0])
        ]
        if exempt:
            st = exempt[0]
            return f"「{lab(st.concept)}」は苦手だが、{_said(st)}の条件 ({st.condition.describe(vocab) if st.condition else ''}) を満たす"
        return "避けたいことは含まない"
    if name == "limits":
        one = np.array([i])
        hits = [st for st in pv.hard_limits if bool(limit_hits(st, pv, index, one, _km1(cons, i))[0])]
        if hits:
            seen2: dict[str, Statement] = {}
            for st in hits:
                seen2.setdefault(st.concept, st)
            return (
                "、".join(
                    f"{_said(st)}により「{_found(st, lab(c))}」はできない (強い制約)"
                    for c, st in seen2.items()
                )
                + "に当たる"
            )
        exempt_hard = [
            st
            for st in pv.hard_limits
            if st.condition is not None
            and not st.condition.empty
            and bool(presence(st.concept, pv, index, one, _km1(cons, i))[0])
        ]
        if exempt_hard:
            seen3: dict[str, Statement] = {}
            for st in exempt_hard:
                seen3.setdefault(st.concept, st)
            return "、".join(
                f"「{lab(c)}」はできないとしているが、{_said(st)}の例外 ({st.condition.describe(vocab) if st.condition else ''}) を満たす"
                for c, st in seen3.items()
            )
        if pv.hard_limits:
            return (
                "本人が「できない」とした"
                + _j(sorted({lab(st.concept) for st in pv.hard_limits}))
                + "には当たらない"
            )
        return "文章に書かれた強い制約なし"
    if name == "conditions":
        one = np.array([i])
        km1 = _km1(cons, i)
        parts = []
        for st in pv.hard_limits + pv.soft_limits:
            if (
                st.condition is not None
                and not st.condition.empty
                and bool(meets(st.condition, pv, index, one, km1)[0])
            ):
                parts.append(f"{_said(st)}の条件 ({st.condition.describe(vocab)}) を満たす")
        for st in pv.wishes:
            if bool(wish_hits(st, pv, index, one, km1)[0]):
                parts.append(f"{_said(st)}に合う「{_found(st, lab(st.concept))}」")
        if parts:
            return "、".join(dict.fromkeys(parts))
        if pv.wishes:
            words = any(not st.source.startswith("contact_channels") for st in pv.wishes)
            return (
                ("本人の言葉の希望 (" if words else "本人の希望 (")
                + _j(sorted({lab(st.concept) for st in pv.wishes}))
                + ") には当たらない"
            )
        return "文章に書かれた希望・条件なし"
    if name == "pickup":
        return "送迎あり (受け入れ先の送迎を利用)" if v > 0 else ""
    return ""  # pragma: no cover


def _fastest_mode(pv: ProfileVector) -> str:
    own = [m for m in pv.profile.travel.modes if m != TravelMode.PICKUP]
    return max(own, key=lambda m: m.kmh).ja if own else "送迎"


def explain_pair(
    pv: ProfileVector,
    index: OpeningIndex,
    i: int,
    values: list[float],
    contributions: list[float],
    weights: list[float],
    names: list[str],
    cons: Constraints,
    *,
    reference: list[float] | None = None,
) -> list[Factor]:
    """Factors of one pair, largest absolute contribution first (zero-weight factors left out, and the facts of
    :data:`SHOWN_WHEN_PRESENT` left out where absent).

    ``reference`` (a learned scorer's training mean per factor) lets the sentence say so when a learned
    contribution runs against what the factor's value means: a value better than usual that lowers the
    predicted 定着, or a limit the person named that raises it. The sentence never silently contradicts its sign.
    """
    out = []
    refs = reference if reference is not None else [None] * len(names)
    for name, v, c, w, r in zip(names, values, contributions, weights, refs, strict=True):
        if w == 0 or (name in SHOWN_WHEN_PRESENT and v <= 0):
            continue
        ja, en = FACTOR_LABELS.get(name, (name, name))
        reason = _reason(name, v, pv, index, i, cons)
        if r is not None and abs(c) > 1e-3 and abs(v - r) > 1e-9:
            better = (v > r) != (name in PENALTIES)  # is this value better than the training average?
            if better != (c > 0):
                way = "上げて" if c > 0 else "下げて"
                reason += f" (※過去の結果から学んだモデルでは、この要素が定着の見込みを{way}います)"
        out.append(Factor(name, ja, en, float(v), abs(float(w)), float(c), reason))
    out.sort(key=lambda f: -abs(f.contribution))
    return out
