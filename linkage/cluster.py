"""Clusters from scored pairs: joined more strictly than pairs, checked as wholes, the middle sent to review.

Plain connected components chain errors through one weak link (A–B strong, B–C strong, A and C clearly two
people). Here pairs are taken strongest first and two clusters are joined only when

* the joining pair is above the upper threshold, and, when either side already holds more than one record,
  the other scored pairs between the two clusters agree: their mean weight is above the lower threshold and
  none is below ``veto_weight`` (so one good pair cannot pull in a cluster that the others disagree with);
* no pair across them is a *household conflict* (two members of one household, see
  :data:`linkage.model.OTHER_MEMBER_WEIGHT`);
* the joined cluster passes :func:`cluster_problems`: no two full birth dates that disagree beyond the known
  error patterns, no two different sexes, partial birth years within one year of the others.

A refused join, and every pair between the thresholds whose records did not end up together, goes to the
review queue with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from linkage.dates import BirthDate, DateLevel, compare_dates

__all__ = ["Clustering", "Edge", "Member", "ReviewItem", "cluster_problems", "cluster_records"]


@dataclass(frozen=True, slots=True)
class Member:
    """What the whole-cluster checks need of a record."""

    uid: str
    birth: BirthDate | None
    sex: str | None


@dataclass(frozen=True, slots=True)
class Edge:
    """A scored pair: match weight (bits) and probability; ``conflict`` for a household conflict."""

    a: str
    b: str
    weight: float
    probability: float
    conflict: bool = False


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A pair a person must decide, and why it was not decided automatically."""

    a: str
    b: str
    weight: float
    probability: float
    reason: str
    """``band`` (between the thresholds), ``birth_conflict``, ``sex_conflict``, ``household_conflict``,
    ``weak_join`` (the clusters' other pairs disagree)."""


@dataclass
class Clustering:
    cluster_of: dict[str, str]
    review: list[ReviewItem] = field(default_factory=list)

    def clusters(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for uid, c in self.cluster_of.items():
            out.setdefault(c, []).append(uid)
        return out


def _birth_conflict(a: BirthDate | None, b: BirthDate | None) -> bool:
    return compare_dates(a, b) is DateLevel.DIFFERENT


def cluster_problems(members: Iterable[Member]) -> list[str]:
    """What is wrong with a cluster as a whole: ``birth_conflict`` (two birth dates that are not one date
    written with a known error), ``sex_conflict``. Empty when the cluster is consistent."""
    ms = list(members)
    out: list[str] = []
    if any(_birth_conflict(x.birth, y.birth) for x, y in combinations(ms, 2)):
        out.append("birth_conflict")
    sexes = {m.sex for m in ms if m.sex}
    if len(sexes) > 1:
        out.append("sex_conflict")
    return out


class _UF:
    def __init__(self, ids: Iterable[str]):
        self.parent = {i: i for i in ids}
        self.members: dict[str, list[str]] = {i: [i] for i in self.parent}

    def find(self, x: str) -> str:
        p = self.parent
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))


def cluster_records(
    members: Mapping[str, Member],
    edges: Iterable[Edge],
    *,
    upper_weight: float,
    lower_weight: float,
    decisions: Mapping[tuple[str, str], str] | None = None,
    veto_weight: float = -6.6,
) -> Clustering:
    """Cluster records from scored pairs (see the module docstring).

    ``decisions`` are a reviewer's: ``{(a, b): "accept" | "reject"}`` (ids in either order). An accepted pair
    is joined before any automatic link, a rejected one is never joined, directly or through others, and
    neither goes to review again: a re-run never undoes a human decision."""
    uf = _UF(members)
    decided: dict[tuple[str, str], str] = {}
    for (a, b), d in (decisions or {}).items():
        decided[(min(a, b), max(a, b))] = d
    rejected = {k for k, d in decided.items() if d == "reject"}
    score: dict[tuple[str, str], float] = {}
    conflicts: set[tuple[str, str]] = set(rejected)
    candidates: list[Edge] = []
    for e in edges:
        if e.a not in members or e.b not in members:
            continue
        key = (min(e.a, e.b), max(e.a, e.b))
        score[key] = e.weight
        if e.conflict:
            conflicts.add(key)
        elif e.weight >= lower_weight:
            candidates.append(e)
    for (a, b), d in decided.items():
        if d == "accept" and a in members and b in members:
            uf.union(a, b)
    candidates.sort(key=lambda e: (-e.weight, e.a, e.b))
    review: list[ReviewItem] = []

    def cross(ra: str, rb: str) -> tuple[list[float], bool]:
        ws: list[float] = []
        bad = False
        for x in uf.members[ra]:
            for y in uf.members[rb]:
                k = (min(x, y), max(x, y))
                if k in conflicts:
                    bad = True
                w = score.get(k)
                if w is not None:
                    ws.append(w)
        return ws, bad

    for e in candidates:
        key = (min(e.a, e.b), max(e.a, e.b))
        if key in decided:
            continue
        ra, rb = uf.find(e.a), uf.find(e.b)
        if ra == rb:
            continue
        if e.weight < upper_weight:
            review.append(ReviewItem(e.a, e.b, e.weight, e.probability, "band"))
            continue
        ws, bad = cross(ra, rb)
        if bad:
            review.append(ReviewItem(e.a, e.b, e.weight, e.probability, "household_conflict"))
            continue
        if (len(uf.members[ra]) > 1 or len(uf.members[rb]) > 1) and (
            sum(ws) / len(ws) < lower_weight or min(ws) < veto_weight
        ):
            review.append(ReviewItem(e.a, e.b, e.weight, e.probability, "weak_join"))
            continue
        problems = cluster_problems(members[u] for u in uf.members[ra] + uf.members[rb])
        if problems:
            review.append(ReviewItem(e.a, e.b, e.weight, e.probability, problems[0]))
            continue
        uf.union(ra, rb)
    # a band pair whose records ended up together needs no decision
    review = [r for r in review if uf.find(r.a) != uf.find(r.b)]
    seen: set[tuple[str, str]] = set()
    unique: list[ReviewItem] = []
    for r in review:
        k = (min(uf.find(r.a), uf.find(r.b)), max(uf.find(r.a), uf.find(r.b)))
        if k in seen:
            continue
        seen.add(k)
        unique.append(r)
    cluster_of = {uid: uf.find(uid) for uid in members}
    return Clustering(cluster_of=cluster_of, review=unique)
