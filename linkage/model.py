"""The Splink model: comparisons, blocking rules and training, written once for every Splink backend.

Four comparisons, each one piece of evidence:

* ``name`` — 氏名 and its reading together (:class:`linkage.names.NameLevel`), term-frequency adjusted on the
  exact levels; a surname-change level; and two *household* levels with fixed weights: two records that share
  a house or a phone but whose given names differ are two members of one household (spouses, a parent and a
  child, twins), whatever their other fields say.
* ``birth`` — birth date (:class:`linkage.dates.DateLevel`): exact, day/month swapped, year off by one,
  one digit, partial dates; missing carries no weight.
* ``sex``.
* ``contact`` — address and phone as *one* comparison, because a household shares both: same house and
  phone, same house, same phone, same block, same 町字.

Every level's SQL is built from the dialect's own function names (:class:`DialectLevel`), so one
:class:`splink.SettingsCreator` serves DuckDB here and Spark for a prefecture (``settings().get_settings("spark")``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from splink import SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

from linkage.dates import DateLevel
from linkage.names import GIVEN_SIMILAR_JW, KANA_FUZZY_JW, NameLevel

__all__ = [
    "BLOCKING_RULES",
    "CONTACT_LEVELS",
    "OTHER_MEMBER_WEIGHT",
    "SIMILAR_MEMBER_WEIGHT",
    "TRAINING_BLOCKS",
    "DialectLevel",
    "WeightCheck",
    "check_weights",
    "comparisons",
    "generic_settings",
    "settings",
]

OTHER_MEMBER_WEIGHT = -30.0
"""Match weight (bits) of two records of one household whose given names differ: never the same person."""
SIMILAR_MEMBER_WEIGHT = -10.0
"""Match weight of two records of one household whose given names are alike (和夫/和也, a typo): to review."""


class DialectLevel(ComparisonLevelCreator):
    """A comparison level from a SQL template with ``{jw}`` (Jaro–Winkler), ``{dl}`` (Damerau–Levenshtein)
    and ``{lev}`` placeholders filled with the backend's function names."""

    def __init__(self, template: str, label: str):
        self.template = template
        self.label = label

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        return self.template.format(
            jw=sql_dialect.jaro_winkler_function_name,
            dl=sql_dialect.damerau_levenshtein_function_name,
            lev=sql_dialect.levenshtein_function_name,
        )

    def create_label_for_charts(self) -> str:
        return self.label


class _Null(DialectLevel):
    def __init__(self, template: str, label: str = "missing"):
        super().__init__(template, label)
        self.configure(is_null_level=True)


class _Else(DialectLevel):
    def __init__(self, label: str = "different"):
        super().__init__("ELSE", label)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        return "ELSE"


PRIORS: dict[str, dict[str, tuple[float, float]]] = {
    "name": {
        "exact": (0.80, 1e-4), "reading": (0.10, 1e-4), "surname_change": (0.02, 1e-3), "fuzzy": (0.03, 2e-3),
        "surname_only": (0.01, 0.02), "different": (0.005, 0.97),
    },
    "birth": {
        "exact": (0.80, 3e-5), "day_month_swap": (0.005, 3e-5), "year_off_by_one": (0.005, 6e-5),
        "one_digit": (0.005, 3e-4), "partial_agree": (0.15, 0.01), "partial_near": (0.02, 0.02),
        "different": (0.01, 0.97),
    },
    "sex": {"same": (0.99, 0.5), "different": (0.01, 0.5)},
    "contact": {
        "house_and_phone": (0.40, 1e-4), "house": (0.35, 2e-4), "phone": (0.10, 1e-4), "block": (0.02, 1e-3),
        "town": (0.08, 0.1), "different": (0.05, 0.9),
    },
}  # fmt: skip
"""Starting m and u of every learned level: what EM starts from, and what stays where a level is not seen in
the training pairs (a small town may have no 'block' pair). Training replaces them wherever there is data."""


def _prior(comp: str, level: DialectLevel) -> DialectLevel:
    m, u = PRIORS[comp][level.label]
    level.configure(m_probability=m, u_probability=u)
    return level


def _fixed(level: DialectLevel, weight: float) -> DialectLevel:
    m = 2.0**weight * 0.05
    level.configure(m_probability=m, u_probability=0.05, fix_m_probability=True, fix_u_probability=True)
    return level


def _both(col: str) -> str:
    return f"({col}_l IS NOT NULL AND {col}_r IS NOT NULL)"


def _eq(col: str) -> str:
    return f"COALESCE({col}_l = {col}_r, FALSE)"


_HOUSEHOLD = f"({_eq('ad_house')} OR {_eq('ph_digits')})"
_GIVEN_AGREE = f"({_eq('nm_given')} OR {_eq('kn_given')})"
_FULL_FUZZY = (
    f"(CASE WHEN {_both('kn_full')} THEN {{jw}}(kn_full_l, kn_full_r) >= {KANA_FUZZY_JW} "
    f"WHEN {_both('nm_full')} THEN (GREATEST(LENGTH(nm_full_l), LENGTH(nm_full_r)) >= 3 "
    f"AND {{dl}}(nm_full_l, nm_full_r) <= 1) ELSE FALSE END)"
)
_GIVEN_SIMILAR = (
    f"(CASE WHEN {_both('kn_given')} THEN {{jw}}(kn_given_l, kn_given_r) >= {GIVEN_SIMILAR_JW} "
    f"WHEN {_both('nm_given')} THEN (GREATEST(LENGTH(nm_given_l), LENGTH(nm_given_r)) >= 3 "
    f"AND {{dl}}(nm_given_l, nm_given_r) <= 1) "
    f"ELSE COALESCE({_FULL_FUZZY}, FALSE) END)"
)


_FIXED_LABELS = {NameLevel.OTHER_MEMBER.value, NameLevel.SIMILAR_MEMBER.value}


def _name_comparison() -> dict[str, Any]:
    exact = DialectLevel("nm_full_l = nm_full_r", NameLevel.EXACT.value)
    exact.configure(tf_adjustment_column="nm_full", tf_adjustment_weight=1.0)
    reading = DialectLevel("kn_full_l = kn_full_r", NameLevel.READING.value)
    reading.configure(tf_adjustment_column="kn_full", tf_adjustment_weight=1.0)
    levels: list[ComparisonLevelCreator] = [
        _Null(f"NOT {_both('nm_full')} AND NOT {_both('kn_full')}", NameLevel.MISSING.value),
        exact,
        reading,
        DialectLevel(
            f"{_GIVEN_AGREE} AND ({_both('nm_sur')} OR {_both('kn_sur')})", NameLevel.SURNAME_CHANGE.value
        ),
        _fixed(
            DialectLevel(
                f"{_HOUSEHOLD} AND NOT {_GIVEN_AGREE} AND NOT COALESCE({_GIVEN_SIMILAR}, FALSE)",
                NameLevel.OTHER_MEMBER.value,
            ),
            OTHER_MEMBER_WEIGHT,
        ),
        _fixed(
            DialectLevel(f"{_HOUSEHOLD} AND NOT {_GIVEN_AGREE}", NameLevel.SIMILAR_MEMBER.value),
            SIMILAR_MEMBER_WEIGHT,
        ),
        DialectLevel(f"COALESCE({_FULL_FUZZY}, FALSE)", NameLevel.FUZZY.value),
        DialectLevel(f"{_eq('nm_sur')} OR {_eq('kn_sur')}", NameLevel.SURNAME_ONLY.value),
        _Else(NameLevel.DIFFERENT.value),
    ]
    levels = [
        _prior("name", lv)
        if isinstance(lv, DialectLevel) and not isinstance(lv, _Null) and lv.label not in _FIXED_LABELS
        else lv
        for lv in levels
    ]
    return {
        "output_column_name": "name",
        "comparison_description": "氏名とふりがな (one piece of evidence)",
        "comparison_levels": levels,
    }


def _birth_comparison() -> dict[str, Any]:
    full = f"{_both('dob')}"
    partial = "(dob_l IS NULL OR dob_r IS NULL)"
    levels: list[ComparisonLevelCreator] = [
        _Null("dob_y_l IS NULL OR dob_y_r IS NULL", DateLevel.MISSING.value),
        DialectLevel("dob_l = dob_r", DateLevel.EXACT.value),
        DialectLevel(
            f"{full} AND dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r",
            DateLevel.DAY_MONTH_SWAP.value,
        ),
        DialectLevel(
            f"{full} AND ABS(dob_y_l - dob_y_r) = 1 AND dob_m_l = dob_m_r AND dob_d_l = dob_d_r",
            DateLevel.ERA_YEAR_OFF_BY_ONE.value,
        ),
        DialectLevel(f"{full} AND {{dl}}(dob_l, dob_r) <= 1", DateLevel.ONE_DIGIT.value),
        DialectLevel(
            f"{partial} AND dob_y_l = dob_y_r AND (dob_m_l IS NULL OR dob_m_r IS NULL OR dob_m_l = dob_m_r)",
            DateLevel.PARTIAL_AGREE.value,
        ),
        DialectLevel(f"{partial} AND ABS(dob_y_l - dob_y_r) <= 1", DateLevel.PARTIAL_NEAR.value),
        _Else(DateLevel.DIFFERENT.value),
    ]
    levels = [
        _prior("birth", lv) if isinstance(lv, DialectLevel) and not isinstance(lv, _Null) else lv
        for lv in levels
    ]
    return {"output_column_name": "birth", "comparison_description": "生年月日", "comparison_levels": levels}


def _sex_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "sex",
        "comparison_description": "性別",
        "comparison_levels": [
            _Null("sex_l IS NULL OR sex_r IS NULL"),
            _prior("sex", DialectLevel("sex_l = sex_r", "same")),
            _prior("sex", _Else()),
        ],
    }


_PHONE = f"({_eq('ph_digits')} OR (COALESCE(ph_is_local_l OR ph_is_local_r, FALSE) AND {_eq('ph_local')}))"
CONTACT_LEVELS = ("missing", "house_and_phone", "house", "phone", "block", "town", "different")


def _contact_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "contact",
        "comparison_description": "住所と電話 (household evidence, counted once)",
        "comparison_levels": [
            _Null(
                f"NOT {_both('ad_town')} AND NOT {_both('ph_local')}",
                CONTACT_LEVELS[0],
            ),
            _prior("contact", DialectLevel(f"{_eq('ad_house')} AND {_PHONE}", CONTACT_LEVELS[1])),
            _prior("contact", DialectLevel(_eq("ad_house"), CONTACT_LEVELS[2])),
            _prior("contact", DialectLevel(_PHONE, CONTACT_LEVELS[3])),
            _prior("contact", DialectLevel(_eq("ad_block"), CONTACT_LEVELS[4])),
            _prior("contact", DialectLevel(_eq("ad_town"), CONTACT_LEVELS[5])),
            _prior("contact", _Else(CONTACT_LEVELS[6])),
        ],
    }


def comparisons() -> list[Any]:
    """The four comparisons (name, birth, sex, contact)."""
    return [_name_comparison(), _birth_comparison(), _sex_comparison(), _contact_comparison()]


BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("nm_full", "dob_y"),
    ("kn_full", "dob_y"),
    ("dob", "nm_given"),
    ("dob", "kn_given"),
    ("nm_full", "ad_town"),
    ("kn_full", "ad_town"),
    ("dob", "ad_house"),
    ("nm_given", "ad_house"),
    ("kn_given", "ph_local"),
)
"""Blocking rules for prediction (OR-ed; each pair scored once). Together they catch a pair whose name is
written differently (kanji or reading agree), whose surname changed (given name + birth date or house),
whose birth date is missing or wrong (name + 町字), or whose name is garbled (birth date + house)."""

TRAINING_BLOCKS: tuple[tuple[str, ...], ...] = (("dob",), ("kn_full",), ("ad_house",))
"""EM is run once per block: a comparison is not estimated in the session that blocks on it, so every
comparison is learned in at least two sessions, none of them biased by blocking on itself."""


LinkType = Literal["link_only", "link_and_dedupe", "dedupe_only"]


def settings(*, link_type: LinkType = "dedupe_only", retain_intermediate: bool = False) -> SettingsCreator:
    """The backend-neutral settings of the Japanese model."""
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in BLOCKING_RULES],
        retain_intermediate_calculation_columns=retain_intermediate,
        retain_matching_columns=True,
        additional_columns_to_retain=["source_dataset"],
    )


def generic_settings(*, link_type: LinkType = "dedupe_only") -> SettingsCreator:
    """The generic baseline: Splink's stock comparisons on the raw strings (Jaro–Winkler on name, reading and
    address, exact birth date text, phone and sex), blocked on raw name, raw birth date and raw phone."""
    import splink.comparison_library as cl

    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("raw_name", [0.95, 0.88]),
            cl.JaroWinklerAtThresholds("raw_kana", [0.95, 0.88]),
            cl.ExactMatch("raw_birth"),
            cl.JaroWinklerAtThresholds("raw_address", [0.95, 0.88]),
            cl.ExactMatch("raw_phone"),
            cl.ExactMatch("raw_sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("raw_name"),
            block_on("raw_birth"),
            block_on("raw_phone"),
            block_on("raw_kana"),
        ],
        retain_matching_columns=True,
        additional_columns_to_retain=["source_dataset"],
    )


# ------------------------------------------------------------------ sanity check of learned weights


@dataclass(frozen=True)
class WeightCheck:
    """One expectation about the learned weights and whether it held."""

    rule: str
    ok: bool
    detail: str


_ORDER_RULES: tuple[tuple[str, str, str], ...] = (
    ("name", NameLevel.EXACT.value, NameLevel.FUZZY.value),
    ("name", NameLevel.READING.value, NameLevel.DIFFERENT.value),
    ("name", NameLevel.FUZZY.value, NameLevel.DIFFERENT.value),
    ("name", NameLevel.SURNAME_CHANGE.value, NameLevel.DIFFERENT.value),
    ("birth", DateLevel.EXACT.value, DateLevel.DAY_MONTH_SWAP.value),
    ("birth", DateLevel.EXACT.value, DateLevel.ONE_DIGIT.value),
    ("birth", DateLevel.ERA_YEAR_OFF_BY_ONE.value, DateLevel.DIFFERENT.value),
    ("birth", DateLevel.PARTIAL_AGREE.value, DateLevel.DIFFERENT.value),
    ("contact", "house", "town"),
    ("contact", "phone", "different"),
    ("contact", "town", "different"),
    ("sex", "same", "different"),
)
_SIGN_RULES: tuple[tuple[str, str, int], ...] = (
    ("name", NameLevel.EXACT.value, +1),
    ("name", NameLevel.DIFFERENT.value, -1),
    ("birth", DateLevel.EXACT.value, +1),
    ("birth", DateLevel.DIFFERENT.value, -1),
    ("contact", "house", +1),
    ("contact", "house_and_phone", +1),
    ("sex", "different", -1),
)


def level_weights(model: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{comparison: {level label: match weight}} from a saved Splink model (``save_model_to_json``)."""
    out: dict[str, dict[str, float]] = {}
    for comp in model["comparisons"]:
        levels: dict[str, float] = {}
        for lv in comp["comparison_levels"]:
            if lv.get("is_null_level"):
                continue
            m, u = lv.get("m_probability"), lv.get("u_probability")
            label = lv.get("label_for_charts", "")
            if m is None or u is None or m <= 0 or u <= 0:
                levels[label] = math.nan
            else:
                levels[label] = math.log2(m / u)
        out[comp["output_column_name"]] = levels
    return out


SATURATED = -20.0
"""Weights below this all mean "never among matches" (EM drove m to almost 0): their order carries no sense."""


def check_weights(weights: dict[str, dict[str, float]]) -> list[WeightCheck]:
    """Check learned weights for sense: better agreement weighs more (unless both are saturated below
    :data:`SATURATED`), agreement is positive evidence and disagreement negative. Returns every check with its
    outcome (``ok`` false means: do not trust the run).

    House *and* phone is not required to outweigh house alone: both are household evidence, and where lists
    carry a household's landline, agreeing on both is what two members of one household do (measured on the
    1,000,000-record benchmark: +11.8 vs +17.0 bits); both must be positive."""
    out: list[WeightCheck] = []
    for comp, better, worse in _ORDER_RULES:
        w = weights.get(comp, {})
        a, b = w.get(better, math.nan), w.get(worse, math.nan)
        ok = not (math.isnan(a) or math.isnan(b)) and (a > b or (a < SATURATED and b < SATURATED))
        out.append(WeightCheck(f"{comp}: {better} > {worse}", ok, f"{a:.2f} vs {b:.2f}"))
    for comp, level, sign in _SIGN_RULES:
        v = weights.get(comp, {}).get(level, math.nan)
        ok = not math.isnan(v) and v * sign > 0
        out.append(WeightCheck(f"{comp}: {level} {'positive' if sign > 0 else 'negative'}", ok, f"{v:.2f}"))
    return out


def blocking_rule_sql(cols: Sequence[str]) -> str:
    """The SQL of a blocking rule on equal columns (for printing comparison counts)."""
    return " AND ".join(f"l.{c} = r.{c}" for c in cols)
