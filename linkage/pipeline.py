"""Link agency lists end to end: normalise, train the Splink model, score, cluster, review, households.

Runs on generated lists are in ``bench/bench_linkage.py`` and ``tests/integration/linkage``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from linkage.cluster import Clustering, Edge, Member, ReviewItem, cluster_records
from linkage.dates import BirthDate
from linkage.features import feature_row, map_headers, record_features
from linkage.model import (
    BLOCKING_RULES,
    TRAINING_BLOCKS,
    WeightCheck,
    check_weights,
    generic_settings,
    level_weights,
    settings,
)
from linkage.names import NameLevel
from linkage.text import nfkc

__all__ = [
    "LinkConfig",
    "LinkResult",
    "PreparedRecords",
    "SourceList",
    "exact_baseline",
    "generic_baseline",
    "household_clusters",
    "link",
    "prepare",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceList:
    """One agency's list: its key, its rows as they came (keyed by the list's own headers; any iterable, so
    a file can be streamed), and the municipality its addresses are in when they omit it."""

    key: str
    rows: Iterable[Mapping[str, object]]
    default_city: str | None = None


RAW_FIELDS = ("name", "kana", "birth", "address", "phone", "sex")


@dataclass
class PreparedRecords:
    """Feature columns for the model (:data:`linkage.features.FEATURE_COLUMNS`), members for the cluster
    checks, and the raw values (``raw_name`` …) the baselines compare. Columnar, to keep a million records
    small."""

    columns: dict[str, list[Any]]
    members: dict[str, Member]
    raw: dict[str, list[Any]]
    problems: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns["unique_id"])

    @property
    def ids(self) -> list[str]:
        return self.columns["unique_id"]

    def dwelling(self) -> dict[str, str | None]:
        """{record id: dwelling key (house and room)}."""
        return dict(zip(self.columns["unique_id"], self.columns["ad_dwelling"], strict=True))

    def phones(self) -> dict[str, str | None]:
        """{record id: phone digits}."""
        return dict(zip(self.columns["unique_id"], self.columns["ph_digits"], strict=True))


def prepare(lists: Iterable[SourceList], *, reference: dt.date) -> PreparedRecords:
    """Normalise every row of every list. Record ids are ``{list}:{case id}`` (or ``{list}:row{n}``)."""
    from linkage.features import FEATURE_COLUMNS

    cols: dict[str, list[Any]] = {c: [] for c in FEATURE_COLUMNS}
    raw: dict[str, list[Any]] = {f"raw_{k}": [] for k in RAW_FIELDS}
    members: dict[str, Member] = {}
    problems: dict[str, tuple[str, ...]] = {}
    for src in lists:
        hmap: dict[str, str] | None = None
        for i, r in enumerate(src.rows, start=1):
            if hmap is None:
                hmap = map_headers(list(r.keys()))
            fields = {f: r.get(h) for f, h in hmap.items()}
            cid = str(fields.get("case_id") or f"row{i}").strip()
            uid = f"{src.key}:{cid}"
            f = record_features(fields, reference=reference, default_city=src.default_city)
            for k, v in feature_row(uid, src.key, f).items():
                cols[k].append(v)
            members[uid] = Member(uid, f.birth, f.sex)
            if f.problems:
                problems[uid] = f.problems
            for k in RAW_FIELDS:
                v = fields.get(k)
                raw[f"raw_{k}"].append((str(v).strip() or None) if v is not None else None)
    return PreparedRecords(columns=cols, members=members, raw=raw, problems=problems)


@dataclass(frozen=True)
class LinkConfig:
    """Thresholds (as match probabilities) and training sizes."""

    upper: float = 0.995
    """At or above: link automatically (subject to the cluster checks)."""
    lower: float = 0.5
    """Between ``lower`` and ``upper``: to review."""
    seed: int = 0
    u_max_pairs: float = 2e6
    em_max_pairs: float | None = 2e6
    prior_recall: float = 0.8
    threads: int | None = None
    memory_limit: str | None = None


def match_weight(p: float) -> float:
    return math.log2(p / (1 - p))


@dataclass
class LinkResult:
    clustering: Clustering
    weights: dict[str, dict[str, float]]
    checks: list[WeightCheck]
    blocking_counts: list[tuple[str, int]]
    n_pairs_scored: int
    timings: dict[str, float]
    model_json: dict[str, Any]
    lambda_: float
    comparisons_by_uid: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    """Every scored pair (kept so a reviewer's decision can re-cluster without scoring again)."""

    @property
    def review(self) -> list[ReviewItem]:
        return self.clustering.review


def _duckdb(config: LinkConfig) -> Any:
    import duckdb

    con = duckdb.connect()
    if config.threads:
        con.execute(f"SET threads = {int(config.threads)}").fetchall()
    if config.memory_limit:
        con.execute(f"SET memory_limit = '{config.memory_limit}'").fetchall()
    con.execute("SET preserve_insertion_order = false").fetchall()
    return con


def _register(con: Any, columns: dict[str, list[Any]], name: str) -> None:
    import pyarrow as pa

    table = pa.Table.from_pydict(columns)
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow").fetchall()
    con.unregister(f"{name}_arrow")


def link(
    prepared: PreparedRecords,
    *,
    config: LinkConfig | None = None,
    decisions: Mapping[tuple[str, str], str] | None = None,
    keep_comparisons: bool = False,
    model: Mapping[str, Any] | None = None,
) -> LinkResult:
    """Train the Japanese model on the records (or use a trained ``model``, as saved in
    :attr:`LinkResult.model_json`), score the blocked pairs, cluster and build the review queue.

    ``decisions`` are reviewers' accept/reject decisions (see :func:`linkage.cluster.cluster_records`)."""
    from splink import DuckDBAPI, Linker

    cfg = config or LinkConfig()
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    con = _duckdb(cfg)
    _register(con, prepared.columns, "records")
    db = DuckDBAPI(connection=con)
    sdf = db.register("records", table_name="records_in")
    linker = Linker(sdf, dict(model) if model is not None else settings(), log_level=logging.WARNING)
    timings["load"] = time.perf_counter() - t0

    t = time.perf_counter()
    counts = _blocking_counts(con, "records")
    timings["blocking_counts"] = time.perf_counter() - t

    t = time.perf_counter()
    if model is None:
        linker = train(linker, cfg, sdf)
    timings["train"] = time.perf_counter() - t
    model = linker.misc.save_model_to_json()
    weights = level_weights(model)
    checks = check_weights(weights)
    for c in checks:
        if not c.ok:
            log.warning("learned weight check failed: %s (%s)", c.rule, c.detail)

    t = time.perf_counter()
    pred = linker.inference.predict()
    name_gamma = _gamma_of(model, "name", NameLevel.OTHER_MEMBER.value)
    floor = match_weight(cfg.lower)
    # every scored pair: those below the lower threshold are not candidates, but the cluster checks need them
    # (a strong pair must not pull in a cluster whose other pairs say "different person")
    sql = f"SELECT unique_id_l, unique_id_r, match_weight, match_probability, gamma_name FROM {pred.physical_name}"
    rows = con.execute(sql).fetchall()
    n_scored = len(rows)
    comps: dict[tuple[str, str], dict[str, Any]] = {}
    if keep_comparisons:
        cur = con.execute(f"SELECT * FROM {pred.physical_name} WHERE match_weight >= {floor}")
        cols = [d[0] for d in cur.description]
        for r in cur.fetchall():
            d = dict(zip(cols, r, strict=True))
            comps[(str(d["unique_id_l"]), str(d["unique_id_r"]))] = d
    timings["predict"] = time.perf_counter() - t

    t = time.perf_counter()
    edges = [Edge(str(a), str(b), float(w), float(p), conflict=(g == name_gamma)) for a, b, w, p, g in rows]
    clustering = cluster_records(
        prepared.members,
        edges,
        upper_weight=match_weight(cfg.upper),
        lower_weight=floor,
        decisions=decisions,
    )
    timings["cluster"] = time.perf_counter() - t
    lam = float(model.get("probability_two_random_records_match", math.nan))
    con.close()
    timings["total"] = time.perf_counter() - t0
    return LinkResult(
        clustering=clustering,
        weights=weights,
        checks=checks,
        blocking_counts=counts,
        n_pairs_scored=n_scored,
        timings=timings,
        model_json=model,
        lambda_=lam,
        comparisons_by_uid=comps,
        edges=edges,
    )


def train(linker: Any, cfg: LinkConfig, sdf: Any) -> Any:
    """λ from deterministic rules (name and birth date), u by random sampling, m by EM once per
    :data:`linkage.model.TRAINING_BLOCKS` block."""
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("nm_full", "dob"), block_on("kn_full", "dob")], recall=cfg.prior_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=cfg.u_max_pairs, seed=cfg.seed)
    from splink import Linker

    trained = 0
    for cols in TRAINING_BLOCKS:
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*cols), estimate_without_term_frequencies=True, max_pairs=cfg.em_max_pairs
            )
        except ValueError as err:
            # On small or uniform lists one block's EM can drive an m probability of a level it hardly sees
            # below float64, which Splink refuses mid-session, leaving the model half-updated (the session's
            # deactivated comparisons gone). Such a block is left out: the model goes back to what it was
            # before it, and the other blocks estimate those comparisons.
            if "m_probability" not in str(err):
                raise
            log.warning("EM on block %s left out: %s", "+".join(cols), str(err).split(".")[0])
            linker = Linker(sdf, before, log_level=logging.WARNING)
            continue
        trained += 1
    if trained == 0:
        raise ValueError("m_probability: no training block could be estimated")
    return linker


def _gamma_of(model: dict[str, Any], comparison: str, label: str) -> int:
    for comp in model["comparisons"]:
        if comp["output_column_name"] != comparison:
            continue
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for i, lv in enumerate(levels):
            if lv.get("label_for_charts") == label:
                return len(levels) - 1 - i
    raise KeyError(f"{comparison}/{label}")


def _blocking_counts(con: Any, table: str) -> list[tuple[str, int]]:
    """Comparisons each blocking rule generates on its own, and the marginal count after earlier rules.

    Counted from block sizes (sum of n(n-1)/2 over blocks) for each rule; cheap at any size."""
    out: list[tuple[str, int]] = []
    for cols in BLOCKING_RULES:
        nn = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        q = f"SELECT COALESCE(SUM(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM {table} WHERE {nn} GROUP BY {', '.join(cols)})"
        out.append((" & ".join(cols), int(con.execute(q).fetchall()[0][0])))
    return out


# ------------------------------------------------------------------ households


def household_clusters(
    person_of: Mapping[str, str],
    dwelling_of: Mapping[str, str | None],
    phone_of: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Households on top of persons: each person cluster lives at the house its records give most often
    (ties: the house more records in all lists give, so a moved person's old address loses), in the room
    its records name there, if any; person clusters at one dwelling (house and room) form one household.
    A person with no address joins the household whose members' records carry the same phone number, when
    exactly one does; otherwise it is a household alone.

    Returns ``{record id: household id}``."""
    house_freq = Counter(k.split("#", 1)[0] for k in dwelling_of.values() if k)
    by_person: dict[str, list[str]] = {}
    for uid, pc in person_of.items():
        by_person.setdefault(pc, []).append(uid)
    hh_of_person: dict[str, str] = {}
    homeless: list[str] = []
    for pc, uids in by_person.items():
        keys = [k for k in (dwelling_of.get(u) for u in uids) if k]
        if keys:
            houses = Counter(k.split("#", 1)[0] for k in keys)
            house = max(houses.items(), key=lambda kv: (kv[1], house_freq[kv[0]], kv[0]))[0]
            rooms = Counter(k for k in keys if k.startswith(house + "#"))
            hh_of_person[pc] = "H:" + (
                max(rooms.items(), key=lambda kv: (kv[1], kv[0]))[0] if rooms else house
            )
        else:
            homeless.append(pc)
    if phone_of is not None and homeless:
        by_phone: dict[str, set[str]] = {}
        for pc, hh in hh_of_person.items():
            for u in by_person[pc]:
                ph = phone_of.get(u)
                if ph:
                    by_phone.setdefault(ph, set()).add(hh)
        for pc in homeless:
            found = {h for u in by_person[pc] if phone_of.get(u) for h in by_phone.get(phone_of[u] or "", ())}
            if len(found) == 1:
                hh_of_person[pc] = found.pop()
    out: dict[str, str] = {}
    for pc, uids in by_person.items():
        hh = hh_of_person.get(pc, f"P:{pc}")
        for u in uids:
            out[u] = hh
    return out


# ------------------------------------------------------------------ baselines


def exact_baseline(prepared: PreparedRecords) -> dict[str, str]:
    """Records with the same name (NFKC, spaces removed) and the same birth date (parsed) are one person;
    a record without either is alone."""
    out: dict[str, str] = {}
    for uid, name in zip(prepared.ids, prepared.raw["raw_name"], strict=True):
        birth: BirthDate | None = prepared.members[uid].birth
        if name and birth is not None and birth.digits:
            out[uid] = f"{''.join(nfkc(name).split())}|{birth.digits}"
        else:
            out[uid] = uid
    return out


def exact_households(prepared: PreparedRecords, person_of: Mapping[str, str]) -> dict[str, str]:
    """Baseline households: persons grouped by the address string (NFKC, spaces removed)."""
    raw_addr = {
        uid: ("".join(nfkc(a).split()) if a else None)
        for uid, a in zip(prepared.ids, prepared.raw["raw_address"], strict=True)
    }
    return household_clusters(person_of, raw_addr)


def generic_baseline(
    prepared: PreparedRecords, *, config: LinkConfig | None = None
) -> tuple[dict[str, str], float]:
    """Splink with generic comparisons only (Jaro–Winkler on raw strings), trained the same way, clustered by
    plain connected components at ``config.upper``. Returns (record → cluster, seconds)."""
    from splink import DuckDBAPI, Linker, block_on

    cfg = config or LinkConfig()
    t0 = time.perf_counter()
    con = _duckdb(cfg)
    _register(
        con,
        {"unique_id": prepared.ids, "source_dataset": prepared.columns["source_dataset"], **prepared.raw},
        "raw_records",
    )
    db = DuckDBAPI(connection=con)
    sdf = db.register("raw_records", table_name="raw_in")
    linker = Linker(sdf, generic_settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("raw_name", "raw_birth")], recall=cfg.prior_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=cfg.u_max_pairs, seed=cfg.seed)
    for cols in (("raw_birth",), ("raw_name",)):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*cols), estimate_without_term_frequencies=True, max_pairs=cfg.em_max_pairs
        )
    pred = linker.inference.predict(threshold_match_probability=cfg.upper)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=cfg.upper
    )
    got = con.execute(f"SELECT unique_id, cluster_id FROM {clusters.physical_name}").fetchall()
    con.close()
    out = {str(u): str(c) for u, c in got}
    for uid in prepared.ids:
        out.setdefault(uid, uid)
    return out, time.perf_counter() - t0


def model_summary(result: LinkResult) -> str:
    """The learned weights as JSON text (for logs and reports; holds no personal data)."""
    return json.dumps(result.weights, ensure_ascii=False, indent=1)
