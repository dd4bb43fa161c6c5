"""名寄せ (record linkage) over the town's stored caselists: load a list, run the linkage, review the queue.

* :meth:`Linkage.load_caselist`: one agency's caselist file on the ingestion contract
  (:mod:`graphsvc.services.caselists`).
* :meth:`Linkage.run`: the :mod:`linkage` pipeline (Splink on DuckDB, Japanese comparators, strict clustering)
  over each agency's latest caselist. The run records its legal basis (支援会議 under 社会福祉法第106条の6, or
  本人同意) with a reference (which meeting, which consent) and who ran it; reviewers' decisions are passed in,
  so a re-run never undoes one.
* The graph: each linked cluster becomes one Person (id ``L-…``) with IDENTIFIED_AS edges to its source rows,
  persons at one dwelling one Household (``LH-…``, MEMBER_OF), and each agency whose list holds the person a
  SUPPORTED_BY edge, so the gap analysis, matching and maps run on linked data unchanged. Each run or decision
  rewrites this part of the graph in one atomic batch (linked persons, households and edges that no longer
  hold are removed; nothing else in the town is touched).
* The review queue (:meth:`queue`, :meth:`pair`, :meth:`decide`): the pairs between the thresholds and the
  refused joins; accept / reject / not sure / undo, each stored (append-only) and audited; an accept merges the
  two persons, an undo of it (or a reject) restores both.

Only :data:`~graphsvc.access.policy.LINKAGE_ROLES` start runs and see the queue. Names never reach a log
line: logs and audit entries carry record ids (``{agency}:{case id}``) and counts only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphsvc.access.context import AccessContext
from graphsvc.access.linkage import DECISIONS, Decision, QueuedPair, RunRecord, pair_key
from graphsvc.access.policy import CASELIST_WRITERS, LINKAGE_ROLES, require_role
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import ConflictError, DomainValidationError, NotFound, Problem
from graphsvc.domain.ids import RECORD_ID_PATTERN
from graphsvc.services.base import UseCase
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

if TYPE_CHECKING:
    from linkage.pipeline import LinkConfig, PreparedRecords
    from loaders.common import LoadReport

__all__ = [
    "CONSENT_HEADERS",
    "KIND",
    "LegalBasis",
    "Linkage",
    "PairView",
    "RecordView",
    "RunSummary",
    "build_graph",
    "consent_column",
    "consented",
]

log = logging.getLogger(__name__)
KIND = "linkage"
PERSON_PREFIX = "L-"
HOUSEHOLD_PREFIX = "LH-"


class LegalBasis(StrEnum):
    """Why linking across 分野 is lawful for this run."""

    SUPPORT_MEETING = "支援会議"
    """支援会議 (社会福祉法第106条の6): members share information needed for support, under a duty of secrecy."""
    CONSENT = "同意"
    """本人同意: the persons on the lists agreed to their information being shared."""

    @property
    def ja(self) -> str:
        return {
            "支援会議": "支援会議 (社会福祉法第106条の6)",
            "同意": "本人同意",
        }[self.value]

    @classmethod
    def parse(cls, raw: str) -> LegalBasis:
        key = (raw or "").strip().casefold()
        for b, aliases in (
            (cls.SUPPORT_MEETING, ("支援会議", "support_meeting", "106-6", "art106-6")),
            (cls.CONSENT, ("同意", "本人同意", "consent")),
        ):
            if key in aliases:
                return b
        raise DomainValidationError.one(
            "法的根拠は 支援会議 (support_meeting) か 同意 (consent) です",
            "basis must be support_meeting (支援会議, art. 106-6) or consent (同意)",
            field="basis",
        )


@dataclass(frozen=True)
class RunSummary:
    """What a run did (no names): counts, the blocking rules' comparison counts, timings."""

    run_id: str
    at: str
    basis: str
    reference: str
    by: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class RecordView:
    """One caselist row as the review page shows it: the agency, the row as it came, and where it came from."""

    uid: str
    agency_id: str
    agency_name: str
    node_id: str
    file_name: str
    row: int
    fields: list[tuple[str, str]]
    person_id: str | None


@dataclass(frozen=True)
class PairView:
    a: RecordView
    b: RecordView
    weight: float
    probability: float
    reason: str
    levels: dict[str, tuple[str, str]]
    """comparison → (level, Japanese label), exactly the levels the model uses."""
    decision: Decision | None = None
    history: list[Decision] = field(default_factory=list)
    others_a: list[RecordView] = field(default_factory=list)
    """The other rows already linked to the same person as ``a`` (where a sex or birth conflict comes from)."""
    others_b: list[RecordView] = field(default_factory=list)


REASONS_JA = {
    "band": "確率が自動で結ぶ値と結ばない値の間",
    "birth_conflict": "結ぶと生年月日が食い違う",
    "sex_conflict": "結ぶと性別が食い違う",
    "household_conflict": "同じ世帯の別の人の可能性",
    "weak_join": "他の組み合わせが別人を示している",
    "rejected_but_together": "",
}
DECISIONS_JA = {"accept": "同一人物", "reject": "別人", "unsure": "判断保留", "undo": "取り消し"}


_PREF = r"(?:東京都|北海道|(?:京都|大阪)府|[^\s\d]{2,3}県)"
_CITY = re.compile(
    rf"^({_PREF}?)((?:[^\s\d]{{1,5}}?郡[^\s\d]{{1,5}}?[町村])|(?:[^\s\d]{{1,6}}?市(?:[^\s\d]{{1,4}}?区)?)|(?:[^\s\d]{{1,4}}?区))"
)


def _city_of(address: str | None) -> str | None:
    """「三重県鳥羽市」 from an address that names its municipality (市, 郡…町村, 区); ``None`` otherwise
    (「高丘町4番地」 names none)."""
    if not address:
        return None
    m = _CITY.match(address.strip())
    return (m.group(1) + m.group(2)) if m else None


def common_city(addresses: Iterable[str]) -> str | None:
    """The municipality most of the addresses that name one name (with its prefecture when any gives it):
    what the lists that leave it out mean."""
    counts: Counter[str] = Counter()
    full: dict[str, str] = {}
    for a in addresses:
        m = _CITY.match(a.strip()) if a else None
        if not m:
            continue
        counts[m.group(2)] += 1
        if m.group(1):
            full[m.group(2)] = m.group(1) + m.group(2)
    if not counts:
        return None
    city = counts.most_common(1)[0][0]
    return full.get(city, city)


def _hash_id(prefix: str, key: str) -> str:
    return prefix + hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass
class _Rows:
    """The latest caselist rows: record id → node, and the agencies' default municipalities."""

    nodes: dict[str, NodeRow]
    by_agency: dict[str, list[NodeRow]]
    agencies: dict[str, NodeRow]


CONSENT_HEADERS = (
    "情報共有の同意", "情報提供の同意", "情報共有同意", "個人情報の同意", "本人同意", "同意", "同意の有無", "同意有無",
    "同意状況", "consent",
)  # fmt: skip
"""The column of a caselist that says whether the person agreed to their information being shared (NFKC, spaces
ignored); under 同意 only rows that say yes are linked."""
_CONSENT_YES = frozenset(
    ("有", "有り", "あり", "アリ", "済", "済み", "同意済", "同意済み", "同意", "同意あり", "同意有", "同意有り", "取得済",
     "取得済み", "○", "〇", "◯", "はい", "yes", "y", "true", "1")
)  # fmt: skip
"""What a consent cell says when the person agreed; anything else (空欄, 無, 未, 拒否, ×, 0 …) is no."""


def _norm(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


_CONSENT_KEYS = frozenset(_norm(h) for h in CONSENT_HEADERS)


def consent_column(headers: Sequence[str]) -> int | None:
    """The index of a list's consent column, or None if it has none."""
    return next((i for i, h in enumerate(headers) if _norm(str(h)) in _CONSENT_KEYS), None)


def consented(row: NodeRow) -> bool | None:
    """Whether a caselist row says its person agreed to sharing; None if its list has no consent column."""
    headers = _strs(row.props["headers"])
    i = consent_column(headers)
    if i is None:
        return None
    cells = _strs(row.props["cells"])
    return i < len(cells) and _norm(cells[i]) in _CONSENT_YES


def build_graph(
    rows: Mapping[str, NodeRow],
    person_of: Mapping[str, str],
    household_of: Mapping[str, str],
    *,
    run_id: str | None = None,
    basis: str | None = None,
) -> tuple[list[NodeRow], list[RelRow]]:
    """Person and Household nodes and their MEMBER_OF, SUPPORTED_BY and IDENTIFIED_AS edges from a clustering
    (record id → cluster key, record id → household key). Person ids are ``L-`` + a hash of the cluster's
    smallest record id, so a person keeps its id while its cluster keeps that record."""
    from linkage.dates import parse_date

    by_person: dict[str, list[str]] = {}
    for uid in rows:
        by_person.setdefault(person_of.get(uid, uid), []).append(uid)
    nodes: list[NodeRow] = []
    rels: list[RelRow] = []
    hh_members: dict[str, list[str]] = {}
    hh_address: dict[str, Counter[str]] = {}
    for uids in by_person.values():
        uids.sort()
        pid = _hash_id(PERSON_PREFIX, uids[0])
        fields = [_fields(rows[u]) for u in uids]
        names = Counter(f["name"] for f in fields if f.get("name"))
        years: Counter[int] = Counter()
        for f in fields:
            if f.get("birth"):
                try:
                    bd = parse_date(f["birth"])
                except Exception:  # unreadable dates were refused or warned about at load
                    continue
                if bd is not None and bd.year:
                    years[bd.year] += 1
        sexes = Counter(s for s in (_sex(f.get("sex")) for f in fields) if s)
        hkey = household_of.get(uids[0]) or f"P:{uids[0]}"
        hid = _hash_id(HOUSEHOLD_PREFIX, hkey)
        hh_members.setdefault(hid, []).append(pid)
        for f in fields:
            if f.get("address"):
                hh_address.setdefault(hid, Counter())[f["address"]] += 1
        props: dict[str, Any] = {"id": pid, "household_id": hid}
        if names:
            props["name"] = names.most_common(1)[0][0]
        if years:
            props["birth_year"] = years.most_common(1)[0][0]
        if sexes:
            props["sex"] = sexes.most_common(1)[0][0]
        nodes.append(NodeRow(NodeLabel.PERSON, pid, props))
        ref = NodeRef(NodeLabel.PERSON, pid)
        for agency in sorted({str(rows[u].props["agency_id"]) for u in uids}):
            rels.append(
                RelRow(RelType.SUPPORTED_BY, ref, NodeRef(NodeLabel.AGENCY, agency), {"intensity": 1})
            )
        for u in uids:
            p: dict[str, Any] = {}
            if run_id:
                p["run_id"] = run_id
            if basis:
                p["basis"] = basis
            rels.append(RelRow(RelType.IDENTIFIED_AS, ref, NodeRef(NodeLabel.CASELIST_RECORD, rows[u].id), p))
        rels.append(RelRow(RelType.MEMBER_OF, ref, NodeRef(NodeLabel.HOUSEHOLD, hid), {}))
    for hid, members in hh_members.items():
        hp: dict[str, Any] = {"id": hid, "size": max(1, min(30, len(members)))}
        if hid in hh_address:
            hp["address"] = hh_address[hid].most_common(1)[0][0]
        nodes.append(NodeRow(NodeLabel.HOUSEHOLD, hid, hp))
    # households first: a Person's household_id names one
    nodes.sort(key=lambda n: n.label != NodeLabel.HOUSEHOLD)
    return nodes, rels


def _sex(raw: str | None) -> str | None:
    from linkage.features import normalise_sex

    s = normalise_sex(raw) if raw else None
    return {"m": "male", "f": "female"}.get(s) if s else None


def _fields(row: NodeRow) -> dict[str, str]:
    """{field: cell} of a caselist row (fields of :data:`linkage.features.FIELDS`)."""
    from linkage.features import map_headers

    headers = _strs(row.props.get("headers"))
    cells = _strs(row.props.get("cells"))
    by_header = dict(zip(headers, cells, strict=False))
    return {f: by_header.get(h, "") for f, h in map_headers(headers).items()}


class Linkage(UseCase):
    """The town's 名寄せ use cases (see the module docstring)."""

    # ------------------------------------------------------------ loading
    def load_caselist(
        self,
        ctx: AccessContext,
        agency: str,
        path: str | Path,
        *,
        sheet: str | None = None,
        dry_run: bool = False,
    ) -> LoadReport:
        """Load one agency's caselist (admin only through the API); audited with the agency and the counts."""
        require_role(ctx.principal, *CASELIST_WRITERS)
        from graphsvc.services.caselists import load_caselist

        a = agency.strip()  # a malformed id is the loader's 422 (field --agency)
        if re.match(RECORD_ID_PATTERN, a) and self.store.get_node(NodeRef(NodeLabel.AGENCY, a)) is None:
            # a well-formed id of an agency not stored: a missing end (409), as for a relationship
            raise ConflictError.one(
                f"機関「{agency}」はこの町に登録されていません。先に機関を登録するか、機関IDを確かめてください",
                f"no agency {agency!r} in this town: register the agency first or check the id",
                field="agency",
                value=agency[:128],
            )

        report = load_caselist(self.store, agency, path, sheet=sheet, dry_run=dry_run)
        if not dry_run:
            self.audit(ctx, "caselist.load", "caselists", [agency])
        return report

    # ------------------------------------------------------------ reading the lists
    def _rows(self) -> _Rows:
        from graphsvc.services.caselists import latest_files

        latest = latest_files(self.store)
        nodes: dict[str, NodeRow] = {}
        by_agency: dict[str, list[NodeRow]] = {}
        for n in self.store.iter_nodes(NodeLabel.CASELIST_RECORD):
            a = str(n.props["agency_id"])
            if latest.get(a) != n.props["file_sha256"]:
                continue
            by_agency.setdefault(a, []).append(n)
        for a, ns in by_agency.items():
            ns.sort(key=lambda n: _int(n.props["row"]))
            for n in ns:
                nodes[f"{a}:{str(n.props['case_id']).strip()}"] = n
        agencies = {n.id: n for n in self.store.get_nodes(NodeLabel.AGENCY, sorted(by_agency))}
        return _Rows(nodes, by_agency, agencies)

    @staticmethod
    def _consenting(rows: _Rows) -> tuple[_Rows, dict[str, int]]:
        """Under 同意: only the rows whose list says the person agreed; per agency, how many were left out. A run
        under 同意 with no consent column in any list is refused (nothing would say who agreed)."""
        keep: dict[str, NodeRow] = {}
        by_agency: dict[str, list[NodeRow]] = {}
        withheld: dict[str, int] = {}
        with_column = False
        for a, ns in rows.by_agency.items():
            for n in ns:
                ok = consented(n)
                with_column = with_column or ok is not None
                if ok:
                    keep[f"{a}:{str(n.props['case_id']).strip()}"] = n
                    by_agency.setdefault(a, []).append(n)
                else:
                    withheld[a] = withheld.get(a, 0) + 1
        if rows.nodes and not with_column:
            raise ConflictError.one(
                "本人同意を根拠とする名寄せには、名簿に同意の列 (「情報共有の同意」など: 有/無) が必要です。"
                "どの名簿にもありません。同意の列を加えて読み込み直すか、支援会議を根拠にしてください",
                "a run under consent needs a consent column in the lists (e.g. 情報共有の同意: yes/no); none has "
                "one: add it and load the lists again, or run under the support meeting (支援会議)",
                field="basis",
            )
        return _Rows(keep, by_agency, rows.agencies), withheld

    @staticmethod
    def _town_city(rows: _Rows) -> str | None:
        """The municipality the lists' addresses name most often (for the rows that omit it)."""
        return common_city(_fields(n).get("address", "") for n in rows.nodes.values())

    def _prepare(self, rows: _Rows, reference: dt.date) -> PreparedRecords:
        from linkage.pipeline import SourceList, prepare

        lists = []
        town_city = self._town_city(rows)
        for a, ns in sorted(rows.by_agency.items()):
            agency = rows.agencies.get(a)
            city = (_city_of(str(agency.props.get("address") or "")) if agency else None) or town_city
            dicts = [dict(zip(_strs(n.props["headers"]), _strs(n.props["cells"]), strict=False)) for n in ns]
            lists.append(SourceList(a, dicts, default_city=city))
        return prepare(lists, reference=reference)

    # ------------------------------------------------------------ running
    def run(
        self,
        ctx: AccessContext,
        basis: str | LegalBasis,
        reference: str,
        *,
        config: LinkConfig | None = None,
        today: dt.date | None = None,
    ) -> RunSummary:
        """Link every agency's latest caselist; write the linked persons and households; keep the queue."""
        require_role(ctx.principal, *LINKAGE_ROLES)
        b = basis if isinstance(basis, LegalBasis) else LegalBasis.parse(basis)
        ref = (reference or "").strip()
        if not ref:
            raise DomainValidationError.one(
                "根拠の記録 (支援会議の名称・開催日、または同意書の番号など) を入力してください",
                "give a reference for the basis (the meeting and its date, or the consent records)",
                field="reference",
            )
        if len(ref) > 500:
            raise DomainValidationError.one(
                "根拠の記録は500文字以内です", "the reference is at most 500 characters", field="reference"
            )
        from linkage.pipeline import LinkConfig, link

        t0 = time.perf_counter()
        rows = self._rows()
        withheld: dict[str, int] = {}
        if b is LegalBasis.CONSENT:
            rows, withheld = self._consenting(rows)
        if len(rows.nodes) < 2:  # what is stored, not the request: a conflict (409), not a validation error
            raise ConflictError.one(
                "名寄せする機関の名簿がありません。先に tsunagari load caselist --agency 機関ID ファイル で読み込んでください",
                "no caselists to link: load them first (tsunagari load caselist --agency ID FILE)",
                field="caselists",
            )
        cfg = config or LinkConfig()
        reference_date = today or dt.date.today()
        prepared = self._prepare(rows, reference_date)
        decisions = self._decisions(ctx.town)
        try:
            result = link(prepared, config=cfg, decisions=decisions)
        except (ValueError, KeyError, ZeroDivisionError) as err:
            # Splink's EM can fail on lists too small or too alike to learn from (an m probability underflows)
            log.warning("linkage run failed to train: %s", type(err).__name__)
            raise ConflictError.one(  # the stored lists, not the request: 409
                f"名簿の行 ({len(prepared)} 行) から名寄せのモデルを学習できませんでした。名簿を追加するか、"
                "基準日 (reference_date: 名簿の年齢が数えられた日) を確かめてください",
                f"could not train the linkage model on {len(prepared)} rows: add lists or check reference_date",
                field="caselists",
            ) from None
        edges = [(e.a, e.b, e.weight, e.probability, e.conflict) for e in result.edges]
        figures: dict[str, Any] = {
            "lists": len(rows.by_agency),
            "records": len(prepared),
            "pairs_scored": result.n_pairs_scored,
            "blocking": [[r, n] for r, n in result.blocking_counts],
            "lambda": result.lambda_,
            "weight_checks_failed": [c.rule for c in result.checks if not c.ok],
            "decisions_applied": len(decisions),
            "upper": cfg.upper,
            "lower": cfg.lower,
            "reference_date": reference_date.isoformat(),
        }
        if b is LegalBasis.CONSENT:
            figures["withheld_no_consent"] = withheld
        run = self.system.linkage.add_run(
            ctx.town, ctx.principal, basis=b.value, reference=ref, figures=figures, model=result.model_json,
            edges=edges,
        )  # fmt: skip
        counts = self._apply(ctx, run, prepared, rows, result.clustering.cluster_of, result.clustering.review)
        figures.update(counts)
        figures["seconds"] = round(time.perf_counter() - t0, 1)
        self.system.linkage.update_figures(run.run_id, figures)
        log.info(
            "linkage run %s: %d records, %d persons, %d households, %d to review (%.1f s)",
            run.run_id, len(prepared), counts["persons"], counts["households"], counts["review"], figures["seconds"],
        )  # fmt: skip
        self.audit(ctx, "linkage.run", KIND, [run.run_id])
        return RunSummary(run.run_id, run.at, b.value, ref, ctx.principal.name, figures)

    def _decisions(self, town: str) -> dict[tuple[str, str], str]:
        return {
            k: d.decision
            for k, d in self.system.linkage.current(town).items()
            if d.decision in ("accept", "reject")
        }

    def _apply(
        self,
        ctx: AccessContext,
        run: RunRecord,
        prepared: PreparedRecords,
        rows: _Rows,
        cluster_of: Mapping[str, str],
        review: Sequence[Any],
    ) -> dict[str, int]:
        """Write the clustering as persons and households (one atomic batch) and keep it and the queue."""
        from linkage.pipeline import household_clusters

        household_of = household_clusters(cluster_of, prepared.dwelling(), prepared.phones())
        nodes, rels = build_graph(rows.nodes, cluster_of, household_of, run_id=run.run_id, basis=run.basis)
        batch = WriteBatch(nodes=nodes, rels=rels)
        new_nodes = {n.ref for n in nodes}
        new_rels = {(r.type, r.src, r.dst) for r in rels}
        old_people = [
            n for n in self.store.iter_nodes(NodeLabel.PERSON) if n.id.startswith(PERSON_PREFIX)
        ]  # linked persons of earlier runs
        for n in old_people:
            for r in self.store.relationships(
                n.ref, types=[RelType.IDENTIFIED_AS, RelType.SUPPORTED_BY, RelType.MEMBER_OF], direction="out"
            ):
                if (r.type, r.src, r.dst) not in new_rels:
                    batch.delete_rels.append((r.type, r.src, r.dst))
            if n.ref not in new_nodes:
                batch.delete_nodes.append(n.ref)
        for h in self.store.iter_nodes(NodeLabel.HOUSEHOLD):
            if h.id.startswith(HOUSEHOLD_PREFIX) and h.ref not in new_nodes:
                batch.delete_nodes.append(h.ref)
        batch.detach = True
        self.store.write(batch)
        person_of = {
            u: _hash_id(PERSON_PREFIX, min(us)) for us in _groups(rows.nodes, cluster_of) for u in us
        }
        hh_of = {
            u: _hash_id(HOUSEHOLD_PREFIX, household_of.get(min(us)) or f"P:{min(us)}")
            for us in _groups(rows.nodes, cluster_of)
            for u in us
        }
        queue = [
            QueuedPair(*pair_key(r.a, r.b), r.weight, r.probability, r.reason)
            for r in review
            if r.a in rows.nodes and r.b in rows.nodes
        ]
        clusters = {u: [person_of[u], hh_of[u]] for u in rows.nodes}
        self.system.linkage.set_state(ctx.town, run.run_id, clusters, queue)
        size = Counter(person_of.values())
        return {
            "persons": len(size),
            "households": len(set(hh_of.values())),
            "linked_records": sum(1 for u in rows.nodes if size[person_of[u]] > 1),
            "review": len(queue),
        }

    def _recluster(self, ctx: AccessContext) -> dict[str, int]:
        """After a decision: cluster the latest run's scored pairs again with every decision, and rewrite."""
        from linkage.cluster import Edge, cluster_records
        from linkage.pipeline import LinkConfig, match_weight

        state = self.system.linkage.state(ctx.town)
        if state is None:
            return {}
        run_id = state[0]
        run = next((r for r in self.system.linkage.runs(ctx.town) if r.run_id == run_id), None)
        if run is None:  # pragma: no cover - the state names a run that exists
            return {}
        rows = self._rows()
        if run.basis == LegalBasis.CONSENT.value:
            rows, _withheld = self._consenting(rows)
        prepared = self._prepare(rows, _reference(run))
        upper = float(run.figures.get("upper", LinkConfig.upper))
        lower = float(run.figures.get("lower", LinkConfig.lower))
        edges = [Edge(a, b, w, p, conflict=k) for a, b, w, p, k in self.system.linkage.edges(run_id)]
        clustering = cluster_records(
            prepared.members,
            edges,
            upper_weight=match_weight(upper),
            lower_weight=match_weight(lower),
            decisions=self._decisions(ctx.town),
        )
        return self._apply(ctx, run, prepared, rows, clustering.cluster_of, clustering.review)

    # ------------------------------------------------------------ reading results
    def runs(self, ctx: AccessContext) -> list[RunRecord]:
        require_role(ctx.principal, *LINKAGE_ROLES)
        runs = self.system.linkage.runs(ctx.town)
        self.audit(ctx, "linkage.runs", KIND, [r.run_id for r in runs[:20]])
        return runs

    def queue(self, ctx: AccessContext) -> list[tuple[QueuedPair, Decision | None]]:
        """The pairs to review, with an ``unsure`` decision if one was recorded (accepted and rejected pairs
        leave the queue)."""
        require_role(ctx.principal, *LINKAGE_ROLES)
        state = self.system.linkage.state(ctx.town)
        if state is None:
            return []
        current = self.system.linkage.current(ctx.town)
        out = []
        for p in state[2]:
            d = current.get((p.a, p.b))
            if d is not None and d.decision in ("accept", "reject"):
                continue
            out.append((p, d))
        self.audit(ctx, "linkage.queue", KIND, [f"{p.a}|{p.b}" for p, _d in out[:50]])
        return out

    def decided(self, ctx: AccessContext) -> list[Decision]:
        """The decisions that stand (newest first)."""
        require_role(ctx.principal, *LINKAGE_ROLES)
        return sorted(self.system.linkage.current(ctx.town).values(), key=lambda d: -d.seq)

    def pair(self, ctx: AccessContext, a: str, b: str) -> PairView:
        """The two records side by side with the comparison levels the model used."""
        require_role(ctx.principal, *LINKAGE_ROLES)
        from linkage.compare import COMPARISON_LABELS_JA, compare_records
        from linkage.features import record_features

        a, b = pair_key(a, b)
        rows = self._rows()
        missing = [u for u in (a, b) if u not in rows.nodes]
        if missing:
            raise NotFound(
                [
                    Problem(f"名簿の行「{u}」が見つかりません", f"no caselist record {u!r}", field="pair")
                    for u in missing
                ]
            )
        state = self.system.linkage.state(ctx.town)
        run_id = state[0] if state else None
        clusters = state[1] if state else {}
        queued = next((p for p in (state[2] if state else []) if (p.a, p.b) == (a, b)), None)
        edge = self.system.linkage.edge(run_id, a, b) if run_id else None
        weight, prob = (
            (queued.weight, queued.probability) if queued else (edge or (float("nan"), float("nan")))
        )
        run = next((r for r in self.system.linkage.runs(ctx.town) if r.run_id == run_id), None)
        today = _reference(run) if run else dt.date.today()
        feats = []
        town_city = self._town_city(rows)
        for u in (a, b):
            agency = rows.agencies.get(str(rows.nodes[u].props["agency_id"]))
            city = (_city_of(str(agency.props.get("address") or "")) if agency else None) or town_city
            feats.append(record_features(_fields(rows.nodes[u]), reference=today, default_city=city))
        levels = compare_records(feats[0], feats[1])
        history = self.system.linkage.history(ctx.town, a, b)
        current = self.system.linkage.current(ctx.town).get((a, b))

        def others(uid: str) -> list[RecordView]:
            pid = clusters[uid][0] if uid in clusters else None
            if pid is None:
                return []
            return [
                self._view(rows, u, clusters)
                for u, (p, _h) in sorted(clusters.items())
                if p == pid and u not in (a, b) and u in rows.nodes
            ][:20]

        others_a, others_b = others(a), others(b)
        self.audit(ctx, "linkage.pair", KIND, [a, b, *(r.uid for r in others_a + others_b)])
        return PairView(
            a=self._view(rows, a, clusters),
            b=self._view(rows, b, clusters),
            weight=weight,
            probability=prob,
            reason=queued.reason if queued else ("decided" if current else "none"),
            levels={k: (v, COMPARISON_LABELS_JA[k].get(v, v)) for k, v in levels.items()},
            decision=current,
            history=history,
            others_a=others_a,
            others_b=others_b,
        )

    @staticmethod
    def _view(rows: _Rows, uid: str, clusters: Mapping[str, list[str]]) -> RecordView:
        n = rows.nodes[uid]
        agency = rows.agencies.get(str(n.props["agency_id"]))
        headers = _strs(n.props.get("headers"))
        cells = _strs(n.props.get("cells"))
        return RecordView(
            uid=uid,
            agency_id=str(n.props["agency_id"]),
            agency_name=str(agency.props.get("name")) if agency else str(n.props["agency_id"]),
            node_id=n.id,
            file_name=str(n.props["file_name"]),
            row=_int(n.props["row"]),
            fields=list(zip(headers, cells, strict=False)),
            person_id=clusters[uid][0] if uid in clusters else None,
        )

    # ------------------------------------------------------------ deciding
    def decide(
        self, ctx: AccessContext, a: str, b: str, decision: str, note: str | None = None
    ) -> tuple[Decision, dict[str, int]]:
        """Record a reviewer's decision on a pair (``accept``, ``reject``, ``unsure``, or ``undo`` to withdraw
        the standing one), audit it, and re-cluster so the graph shows it at once."""
        require_role(ctx.principal, *LINKAGE_ROLES)
        if decision not in DECISIONS:
            raise DomainValidationError.one(
                "判断は accept (同一人物)・reject (別人)・unsure (保留)・undo (取り消し) のいずれかです",
                "decision must be accept, reject, unsure or undo",
                field="decision",
                value=str(decision)[:40],
            )
        a, b = pair_key(a.strip(), b.strip())
        if a == b:
            raise DomainValidationError.one(
                "同じ行どうしは判断できません", "a pair needs two records", field="pair"
            )
        rows = self._rows()
        missing = [u for u in (a, b) if u not in rows.nodes]
        if missing:
            raise NotFound(
                [
                    Problem(f"名簿の行「{u}」が見つかりません", f"no caselist record {u!r}", field="pair")
                    for u in missing
                ]
            )
        if decision == "undo" and (a, b) not in self.system.linkage.current(ctx.town):
            raise ConflictError.one(  # the pair's state, not the request (409)
                "取り消す判断がありません", "there is no decision on this pair to undo", field="decision"
            )
        if note is not None and len(note) > 500:
            raise DomainValidationError.one(
                "メモは500文字以内です", "a note is at most 500 characters", field="note"
            )
        before = self.system.linkage.current(ctx.town).get((a, b))
        d = self.system.linkage.decide(ctx.town, ctx.principal, a, b, decision, note)
        self.audit(ctx, f"linkage.decide.{decision}", KIND, [a, b])
        # only accept and reject move records between persons (and an undo of one of them)
        moves = decision in ("accept", "reject") or (
            decision == "undo" and before is not None and before.decision in ("accept", "reject")
        )
        if decision in ("accept", "reject") and before is not None and before.decision == decision:
            moves = False
        counts = self._recluster(ctx) if moves else {}
        return d, counts

    def unmerge(self, ctx: AccessContext, a: str, b: str) -> tuple[Decision, dict[str, int]]:
        """Split two records a run (or an accept) put in one person: a reject decision on the pair."""
        return self.decide(ctx, a, b, "reject", note="unmerge")


def _strs(v: object) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list) else []


def _int(v: object) -> int:
    return int(v) if isinstance(v, int | float | str) else 0


def _reference(run: RunRecord) -> dt.date:
    """The day a run read ages and dates against (so a decision re-clusters exactly as the run did)."""
    raw = run.figures.get("reference_date")
    return dt.date.fromisoformat(str(raw)) if raw else dt.date.today()


def _groups(rows: Mapping[str, NodeRow], cluster_of: Mapping[str, str]) -> list[list[str]]:
    g: dict[str, list[str]] = {}
    for u in rows:
        g.setdefault(cluster_of.get(u, u), []).append(u)
    return list(g.values())
