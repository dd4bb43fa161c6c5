"""Plain counts and filters the store answers itself, through the :class:`~graphsvc.store.port.GraphStore` port,
without pulling the town into memory.

Each function names the Cypher a Neo4j adapter would run for it. Through the current port they use
``find_nodes`` (an indexed property filter), ``iter_nodes`` / ``iter_rels`` of one label or type, and ``counts``;
a ``count_nodes(label, where)`` on the port would let Neo4j return a number instead of rows.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from graphsvc.domain.enums import HouseholdFlag, NodeLabel, RelType

if TYPE_CHECKING:  # the port is a protocol: nothing of the store is needed at run time
    from graphsvc.store.port import GraphStore

__all__ = [
    "agencies_without_sector",
    "at_risk_household_count",
    "hard_case_count",
    "hard_cases_by_agency",
    "household_flag_counts",
    "households_with_flag",
]


def households_with_flag(
    store: GraphStore, flag: HouseholdFlag | str, *, area_id: str | None = None
) -> list[str]:
    """Ids of the households carrying ``flag`` (in one area if given), sorted.

    Cypher: ``MATCH (h:Household) WHERE $flag IN h.flags [AND h.area_id = $area] RETURN h.id ORDER BY h.id``.
    """
    where: dict[str, str] = {"flags": HouseholdFlag(flag).value}
    if area_id is not None:
        where["area_id"] = area_id
    return [r.id for r in store.find_nodes(NodeLabel.HOUSEHOLD, where)]


def household_flag_counts(store: GraphStore) -> dict[str, int]:
    """The number of households carrying each flag (every flag listed, zeros included).

    Cypher: ``MATCH (h:Household) UNWIND h.flags AS f RETURN f, count(*)``.
    """
    return {f.value: len(store.find_nodes(NodeLabel.HOUSEHOLD, {"flags": f.value})) for f in HouseholdFlag}


def at_risk_household_count(store: GraphStore, *, area_id: str | None = None) -> int:
    """Households with at least one flag (in one area if given).

    Cypher: ``MATCH (h:Household) WHERE size(coalesce(h.flags, [])) > 0 [AND h.area_id = $area] RETURN count(h)``.
    """
    rows = (
        store.find_nodes(NodeLabel.HOUSEHOLD, {"area_id": area_id})
        if area_id is not None
        else store.iter_nodes(NodeLabel.HOUSEHOLD)
    )
    return sum(1 for r in rows if r.props.get("flags"))


def hard_case_count(store: GraphStore) -> int:
    """The number of hard cases (``Case.hard``), closed ones included.

    Cypher: ``MATCH (c:Case {hard: true}) RETURN count(c)``.
    """
    return len(store.find_nodes(NodeLabel.CASE, {"hard": True}))


def hard_cases_by_agency(store: GraphStore, *, include_closed: bool = False) -> dict[str, int]:
    """Hard cases handled by each agency that has any (open cases only unless ``include_closed``).

    Cypher: ``MATCH (c:Case {hard: true})-[:HANDLED_BY]->(a:Agency) WHERE $closed OR c.stage <> 'closed'
    RETURN a.id, count(DISTINCT c)``.
    """
    hard = {
        r.id
        for r in store.find_nodes(NodeLabel.CASE, {"hard": True})
        if include_closed or r.props.get("stage") != "closed"
    }
    counts: Counter[str] = Counter()
    for rel in store.iter_rels(RelType.HANDLED_BY):
        if rel.src.id in hard:
            counts[rel.dst.id] += 1
    return dict(sorted(counts.items()))


def agencies_without_sector(store: GraphStore) -> list[str]:
    """Ids of agencies with no ``sectors`` (the analyses put them in the ``unknown`` bucket).

    Cypher: ``MATCH (a:Agency) WHERE size(coalesce(a.sectors, [])) = 0 RETURN a.id ORDER BY a.id``.
    """
    return [r.id for r in store.iter_nodes(NodeLabel.AGENCY) if not r.props.get("sectors")]
