"""Matching over the town graph: a stored person's profile against the town's opportunities.

The library :mod:`matching` needs no graph; this module reads what it needs from a store: the person's
participation profile (``Person.participation_profile``), completed with what the graph knows (home from the
household's location, age from the birth year, past placements and their outcomes, and the consent on record:
the consent register's grants for 参加支援 when the person has any, so the placements offered follow the same
consent that allows a proposal), and the town's opportunities with their capacity left and past outcomes.

:class:`MatchingService` is the engine over a store; :class:`Matching` is the use case the front doors call
(the caller's role, the person in scope, consent, and the audit entry).
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from graphsvc.access.consent import ConsentRegister
from graphsvc.access.context import AccessContext
from graphsvc.access.policy import MATCH_ROLES, PLACEMENT_ROLES, require_role
from graphsvc.domain import (
    DomainValidationError,
    NodeLabel,
    NotFoundError,
    Opportunity,
    Person,
    PlacementOutcome,
    Problem,
    RelType,
    node_from_props,
    problems_from_validation,
)
from graphsvc.domain.consent import ConsentScope, Purpose
from graphsvc.domain.errors import ConflictError
from graphsvc.services.base import UseCase
from graphsvc.store.port import GraphStore, NodeRef
from matching import OpeningIndex, Profile, RankResult, rank
from matching.assign import Assignment, assign

__all__ = ["AssignmentResult", "Matching", "MatchingService", "consent_on_record"]

# One catalogue per open store, keyed by the store's revision (any write, by any process, invalidates it).
_CATALOGUES: weakref.WeakKeyDictionary[GraphStore, tuple[int, OpeningIndex]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class AssignmentResult:
    """An exact assignment and the greedy baseline on the same candidates."""

    person_ids: list[str]
    opening_ids: list[str]
    titles: list[str]
    scores: dict[tuple[int, int], float]
    exact: Assignment
    greedy: Assignment

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "person_id": self.person_ids[i],
                "opportunity_id": self.opening_ids[j],
                "title": self.titles[j],
                "score": round(float(s), 6),
            }
            for (i, j), s in zip(self.exact.pairs.tolist(), self.exact.pair_scores.tolist(), strict=True)
        ]


def consent_on_record(register: ConsentRegister, town: str) -> Callable[[str], ConsentScope | None]:
    """The consent of a person id as the consent register holds it for 参加支援 in this town (what a proposal is
    checked against): the one source of consent for every front door that matches stored persons (API, CLI)."""
    return lambda person_id: register.scope(town, person_id, Purpose.PARTICIPATION)


class MatchingService:
    """Matching for one town's store (a new instance per request is cheap; the catalogue is built per call)."""

    def __init__(
        self,
        store: GraphStore,
        *,
        scorer: Any = None,
        today: date | None = None,
        consents: Callable[[str], ConsentScope | None] | None = None,
    ):
        self.store = store
        self.scorer = scorer
        self.today = today or date.today()
        self.consents = consents
        """The consent on record of a person id (None: nothing recorded, the profile's own scope stands)."""

    # ---------------------------------------------------------------- reads

    def person(self, person_id: str) -> Person:
        row = self.store.get_node(NodeRef(NodeLabel.PERSON, person_id))
        if row is None:
            raise NotFoundError(
                [
                    Problem(
                        f"本人「{person_id}」が見つかりません", f"no person {person_id!r}", field="person_id"
                    )
                ]
            )
        rec = node_from_props(NodeLabel.PERSON, row.props)
        assert isinstance(rec, Person)
        return rec

    def profile(self, person_id: str) -> Profile:
        """The stored profile, completed from the graph (home, age, past placements)."""
        person = self.person(person_id)
        if not person.participation_profile:  # the person's state, not the request: a conflict (409)
            raise ConflictError(
                [
                    Problem(
                        f"本人「{person_id}」には参加支援のプロフィールがありません",
                        f"person {person_id!r} has no participation profile",
                        field="participation_profile",
                    )
                ]
            )
        data = dict(person.participation_profile)
        data.setdefault("id", person.id)
        if data.get("age") is None and person.birth_year:
            data["age"] = self.today.year - person.birth_year
        if data.get("home") is None and person.household_id:
            hh = self.store.get_node(NodeRef(NodeLabel.HOUSEHOLD, person.household_id))
            if hh is not None and "lat" in hh.props:
                data["home"] = {"lat": hh.props["lat"], "lon": hh.props["lon"], "approximate": True}
        past = [
            {"opening_id": r.dst.id, "outcome": r.props["outcome"]}
            for r in self.store.relationships(
                NodeRef(NodeLabel.PERSON, person.id), types=[RelType.PLACED_IN], direction="out"
            )
            if r.props.get("outcome")
        ]
        if past and not data.get("past_placements"):
            data["past_placements"] = past
        if self.consents is not None:
            scope = self.consents(person.id)
            if scope is not None:
                data["consent"] = scope.model_dump(mode="json")
        try:
            return Profile.model_validate(data)
        except Exception as err:  # pydantic.ValidationError
            from pydantic import ValidationError

            if isinstance(err, ValidationError):
                raise DomainValidationError(problems_from_validation(err)) from None
            raise

    def opportunities(self) -> list[Opportunity]:
        out = []
        for row in self.store.iter_nodes(NodeLabel.OPPORTUNITY):
            rec = node_from_props(NodeLabel.OPPORTUNITY, row.props)
            assert isinstance(rec, Opportunity)
            if rec.published:  # a draft (下書き) is not offered until it is published
                out.append(rec)
        return out

    def outcome_history(self) -> dict[str, list[PlacementOutcome]]:
        """Past outcomes per opportunity and per host (the ``outcomes`` factor)."""
        host_of = {o.id: o.host_id for o in self.opportunities()}
        hist: dict[str, list[PlacementOutcome]] = defaultdict(list)
        for r in self.store.iter_rels(RelType.PLACED_IN):
            out = r.props.get("outcome")
            if out:
                hist[r.dst.id].append(PlacementOutcome(str(out)))
                host = host_of.get(r.dst.id)
                if host:
                    hist[host].append(PlacementOutcome(str(out)))
        return dict(hist)

    def catalogue(self) -> OpeningIndex:
        """The town's opportunities as a matching index, cached while the store's revision is unchanged."""
        rev = self.store.revision()
        if rev is not None:
            with _CACHE_LOCK:
                hit = _CATALOGUES.get(self.store)
            if hit is not None and hit[0] == rev:
                return hit[1]
        index = OpeningIndex.build(self.opportunities(), history=self.outcome_history())
        if rev is not None:
            with _CACHE_LOCK:
                _CATALOGUES[self.store] = (rev, index)
        return index

    # ---------------------------------------------------------------- use cases

    def match(self, person_id: str, *, top: int | None = 10, explain: int = 10) -> RankResult:
        """Rank the town's opportunities for a stored person."""
        return rank(self.profile(person_id), self.catalogue(), scorer=self.scorer, top=top, explain=explain)

    def candidates(self, *, limit: int | None = None) -> list[str]:
        """Ids of people with a participation profile who are not in an active placement."""
        active = {
            r.src.id
            for r in self.store.iter_rels(RelType.PLACED_IN)
            if r.props.get("status") in ("accepted", "started", "follow_up")
        }
        ids = [
            row.id
            for row in self.store.iter_nodes(NodeLabel.PERSON)
            if "participation_profile_json" in row.props and row.id not in active
        ]
        return ids[:limit] if limit is not None else ids

    def assign(
        self,
        person_ids: Sequence[str] | None = None,
        *,
        k: int = 1,
        max_per_host: int | None = None,
    ) -> AssignmentResult:
        """Assign many people to opportunities with capacity left, exactly, with greedy as the baseline."""
        ids = list(person_ids) if person_ids is not None else self.candidates()
        index = self.catalogue()
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, pid in enumerate(ids):
            res = rank(self.profile(pid), index, scorer=self.scorer, top=None, explain=0)
            for j, s in zip(res.order.tolist(), res.scores.tolist(), strict=True):
                if s > 0:
                    rows.append(i)
                    cols.append(j)
                    vals.append(float(s))
        caps = np.array(
            [o.capacity_left if o.capacity_left is not None else 1 for o in index.openings], dtype=np.int64
        )
        hosts = np.array([o.host_id or o.id for o in index.openings], dtype=object)
        shape = (len(ids), len(index.openings))
        triple = (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(vals))
        common: dict[str, Any] = {"person_capacity": k, "opening_capacity": caps, "shape": shape}
        if max_per_host is not None:
            common |= {"host_of": hosts, "host_capacity": max_per_host}
        exact = assign(triple, method="exact", **common)
        greedy = assign(triple, method="greedy", **common)
        return AssignmentResult(
            person_ids=ids,
            opening_ids=[o.id for o in index.openings],
            titles=[o.title for o in index.openings],
            scores={(r, c): v for r, c, v in zip(rows, cols, vals, strict=True)},
            exact=exact,
            greedy=greedy,
        )


class Matching(UseCase):
    """Matching as a use case: for the roles that may match, the person in the caller's scope with consent
    covering 参加支援, the consent register read by the ranking, and every call audited."""

    def engine(self, ctx: AccessContext, *, scorer: Any = None) -> MatchingService:
        """The matching engine over this town, reading consent from the register."""
        return MatchingService(
            self.store,
            scorer=scorer,
            consents=consent_on_record(self.system.consents, ctx.town),
        )

    def match(
        self, ctx: AccessContext, person_id: str, *, top: int | None = 10, explain: int = 10
    ) -> RankResult:
        """Rank the town's opportunities for one person, with every factor's and exclusion's reason."""
        require_role(ctx.principal, *MATCH_ROLES)
        purpose = self.policy.matching_purpose(ctx)
        self.policy.require_person_access(ctx, person_id, purpose)
        res = self.engine(ctx).match(person_id, top=top, explain=explain)
        self.audit(ctx, "match", "match_results", [person_id])
        return res

    def assign(
        self,
        ctx: AccessContext,
        person_ids: Sequence[str] | None = None,
        *,
        k: int = 1,
        max_per_host: int | None = None,
    ) -> tuple[list[str], AssignmentResult]:
        """An exact capacity-limited assignment of the given persons (each checked) or of every candidate the
        caller may see; returns the persons considered and the result."""
        require_role(ctx.principal, *PLACEMENT_ROLES)
        purpose = self.policy.matching_purpose(ctx)
        engine = self.engine(ctx)
        if person_ids is not None:
            ids = list(dict.fromkeys(person_ids))
            for pid in ids:
                self.policy.require_person_access(ctx, pid, purpose)
        else:
            ids = engine.candidates()
            allowed = self.policy.coordinator_persons(ctx, purpose)
            if allowed is not None:
                ids = [i for i in ids if i in allowed]
        res = engine.assign(ids, k=k, max_per_host=max_per_host)
        self.audit(ctx, "assign", "match_results", ids)
        return ids, res
