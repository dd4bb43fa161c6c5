"""Town graphs for the analysis tests.

``town`` builds small hand-made towns through validated domain records, writes them to an :class:`EmbeddedStore`
in ``tmp_path`` and returns ``store.projection()``, so the format the analyses read is the real one.
``synth_town`` generates random towns of any size straight into the projection format (``build_projection``):
for property tests and timing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from graphsvc.domain.codec import rel_props_to_store, to_props
from graphsvc.domain.enums import CaseFactor, CollaborationLevel, HouseholdFlag, NodeLabel, RelType, Sector
from graphsvc.domain.records import (
    Agency,
    Area,
    Case,
    Household,
    NodeRecord,
    Opportunity,
    Person,
    Supporter,
    Venue,
)
from graphsvc.store.common import build_projection
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

L = NodeLabel
R = RelType


class Town:
    """A hand-built town: add records and relationships, then ``graph()`` gives the store's projection."""

    def __init__(self, root: Path):
        self._root = root
        self.nodes: list[NodeRow] = []
        self.rels: list[RelRow] = []
        self.store: EmbeddedStore | None = None

    def add(self, record: NodeRecord) -> NodeRef:
        self.nodes.append(NodeRow(record.label, record.id, to_props(record)))
        return NodeRef(record.label, record.id)

    def rel(self, t: RelType, src: NodeRef, dst: NodeRef, **props: Any) -> None:
        self.rels.append(RelRow(t, src, dst, rel_props_to_store(t, props)))

    # shorthands
    def household(self, id_: str, **kw: Any) -> NodeRef:
        return self.add(Household(id=id_, **kw))

    def person(self, id_: str, household: NodeRef | None = None, **kw: Any) -> NodeRef:
        ref = self.add(Person(id=id_, household_id=household.id if household else None, **kw))
        if household is not None:
            self.rel(R.MEMBER_OF, ref, household)
        return ref

    def agency(self, id_: str, *sectors: Sector | str, **kw: Any) -> NodeRef:
        return self.add(Agency(id=id_, name=kw.pop("name", f"機関{id_}"), sectors=list(sectors), **kw))

    def supporter(self, id_: str, **kw: Any) -> NodeRef:
        return self.add(Supporter(id=id_, name=kw.pop("name", f"支援者{id_}"), **kw))

    def venue(self, id_: str, **kw: Any) -> NodeRef:
        return self.add(Venue(id=id_, name=kw.pop("name", f"居場所{id_}"), **kw))

    def opportunity(self, id_: str, **kw: Any) -> NodeRef:
        return self.add(
            Opportunity(id=id_, title=kw.pop("title", f"参加{id_}"), kind=kw.pop("kind", "volunteer"), **kw)
        )

    def area(self, id_: str, **kw: Any) -> NodeRef:
        return self.add(Area(id=id_, name=kw.pop("name", f"地区{id_}"), **kw))

    def case(
        self,
        id_: str,
        about: NodeRef,
        *agencies: NodeRef,
        factors: tuple[CaseFactor | str, ...] = (),
        **kw: Any,
    ) -> NodeRef:
        ref = self.add(Case(id=id_, factors=list(factors), **kw))
        self.rel(R.ABOUT, ref, about)
        for i, a in enumerate(agencies):
            self.rel(R.HANDLED_BY, ref, a, lead=i == 0)
        return ref

    def graph(self) -> nx.MultiDiGraph:
        if self.store is None:
            self.store = EmbeddedStore(self._root / "town.sqlite3", "test", synchronous="NORMAL")
        self.store.clear()
        self.store.write(WriteBatch(nodes=self.nodes, rels=self.rels))
        return self.store.projection()


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Town]:
    t = Town(tmp_path)
    yield t
    if t.store is not None:
        t.store.close()


# ---------------------------------------------------------------- random towns

_FLAGS = [f.value for f in HouseholdFlag]
_FACTORS = [f.value for f in CaseFactor]
_SECTORS = [s.value for s in Sector]
_LEVELS = [lv.value for lv in CollaborationLevel]


def make_synth_town(households: int, seed: int = 0, *, agencies: int | None = None) -> nx.MultiDiGraph:
    """A random town in projection format: every kind of node and relationship, with the awkward cases mixed in
    (households without coordinates, agencies without sector, full venues, remote opportunities, closed cases,
    a hub agency that receives many hard cases)."""
    rng = np.random.default_rng(seed)
    n_ag = agencies if agencies is not None else max(4, min(60, households // 300 + 4))
    nodes: list[tuple[str, str, dict[str, Any]]] = []
    rels: list[tuple[str, str, str, str, str, dict[str, Any]]] = []
    lat0, lon0 = 34.48, 136.84
    n_area = max(1, min(12, households // 50 + 1))
    for i in range(n_area):
        nodes.append(("Area", f"AR{i}", {"name": f"地区{i}", "remote": bool(i == n_area - 1 and n_area > 2)}))
    for i in range(n_ag):
        props: dict[str, Any] = {"name": f"機関{i}"}
        if rng.random() > 0.08:
            props["sectors"] = list(
                dict.fromkeys(rng.choice(_SECTORS, size=int(rng.integers(1, 3))).tolist())
            )
        if rng.random() < 0.3:
            props["caseload_limit"] = int(rng.integers(5, 40))
        nodes.append(("Agency", f"A{i}", props))
    n_sup = max(2, households // 80)
    for i in range(n_sup):
        props = {"name": f"支援者{i}"}
        if rng.random() < 0.5:
            props["agency_id"] = f"A{int(rng.integers(n_ag))}"
        nodes.append(("Supporter", f"S{i}", props))
    n_ven = max(2, households // 150)
    for i in range(n_ven):
        props = {"name": f"居場所{i}", "lat": lat0 + rng.normal(0, 0.03), "lon": lon0 + rng.normal(0, 0.03)}
        if rng.random() < 0.7:
            mx = int(rng.integers(0, 30))
            props["capacity_max"] = mx
            if rng.random() < 0.7:
                props["capacity_available"] = int(rng.integers(0, mx + 1))
        if rng.random() < 0.05:
            del props["lat"], props["lon"]
        nodes.append(("Venue", f"V{i}", props))
    n_opp = max(1, households // 300)
    for i in range(n_opp):
        props = {"title": f"参加{i}", "kind": "volunteer"}
        r = rng.random()
        if r < 0.2:
            props["remote"] = True
        elif r < 0.5:
            rels.append(("HOSTED_BY", "Opportunity", f"O{i}", "Venue", f"V{int(rng.integers(n_ven))}", {}))
        else:
            props["lat"], props["lon"] = lat0 + rng.normal(0, 0.03), lon0 + rng.normal(0, 0.03)
        nodes.append(("Opportunity", f"O{i}", props))
    for a in range(n_ag):
        for b in range(a + 1, n_ag):
            if rng.random() < 0.12:
                src, dst = (a, b) if rng.random() < 0.5 else (b, a)
                rels.append(
                    (
                        "COLLABORATES_WITH",
                        "Agency",
                        f"A{src}",
                        "Agency",
                        f"A{dst}",
                        {"level": str(rng.choice(_LEVELS))},
                    )
                )
    hub = "A0"
    pid = 0
    case_id = 0
    persons_of: list[list[str]] = []
    u = rng.random((households, 16))
    for h in range(households):
        hid = f"H{h}"
        props = {"size": 1}
        if u[h, 0] > 0.05:
            props["lat"], props["lon"] = lat0 + rng.normal(0, 0.03), lon0 + rng.normal(0, 0.03)
            if u[h, 1] < 0.05:
                props["location_approximate"] = True
        if u[h, 2] < 0.35:
            props["flags"] = list(dict.fromkeys(rng.choice(_FLAGS, size=int(rng.integers(1, 3))).tolist()))
        area = int(rng.integers(n_area))
        if u[h, 3] > 0.03:
            rels.append(("IN_AREA", "Household", hid, "Area", f"AR{area}", {}))
        members = []
        for _ in range(int(rng.integers(1, 4))):
            p = f"P{pid}"
            pid += 1
            pp: dict[str, Any] = {"birth_year": int(rng.integers(1925, 2015))}
            if rng.random() < 0.05:
                pp["needs_support"] = True
            if rng.random() < 0.03:
                pp["hikikomori"] = True
            nodes.append(("Person", p, pp))
            rels.append(("MEMBER_OF", "Person", p, "Household", hid, {}))
            members.append(p)
        props["size"] = len(members)
        nodes.append(("Household", hid, props))
        persons_of.append(members)
        if u[h, 4] < 0.3:
            src = ("Household", hid) if u[h, 5] < 0.5 else ("Person", members[0])
            d: dict[str, Any] = {"intensity": int(rng.integers(1, 4))}
            if u[h, 6] < 0.5:
                d["sector"] = str(rng.choice(_SECTORS))
            rels.append(("SUPPORTED_BY", *src, "Agency", f"A{int(rng.integers(n_ag))}", d))
        if u[h, 7] < 0.1:
            rels.append(
                (
                    "VISITS",
                    "Supporter",
                    f"S{int(rng.integers(n_sup))}",
                    "Household",
                    hid,
                    {"per_month": float(rng.choice([0.5, 1.0, 2.0]))},
                )
            )
        if u[h, 8] < 0.15:
            rels.append(
                (
                    "ATTENDS",
                    "Person",
                    members[-1],
                    "Venue",
                    f"V{int(rng.integers(n_ven))}",
                    {"per_month": float(rng.choice([0.5, 2.0]))},
                )
            )
        if u[h, 9] < 0.03:
            rels.append(
                (
                    "PLACED_IN",
                    "Person",
                    members[0],
                    "Opportunity",
                    f"O{int(rng.integers(n_opp))}",
                    {"status": str(rng.choice(["proposed", "started", "declined", "ended"]))},
                )
            )
        if u[h, 10] < 0.15:
            for j in range(int(rng.integers(1, 3))):
                cid = f"C{case_id}"
                case_id += 1
                hard = bool(rng.random() < 0.3)
                cp: dict[str, Any] = {
                    "factors": list(
                        dict.fromkeys(rng.choice(_FACTORS, size=int(rng.integers(1, 6))).tolist())
                    ),
                    "hard": hard,
                    "stage": str(rng.choice(["intake", "assessment", "planning", "support", "closed"])),
                }
                nodes.append(("Case", cid, cp))
                about = ("Household", hid) if j == 0 else ("Person", members[0])
                rels.append(("ABOUT", "Case", cid, *about, {}))
                handlers = {f"A{int(x)}" for x in rng.integers(0, n_ag, size=int(rng.integers(0, 4)))}
                if hard and rng.random() < 0.4:
                    handlers.add(hub)
                for k, a in enumerate(sorted(handlers)):
                    rels.append(("HANDLED_BY", "Case", cid, "Agency", a, {"lead": k == 0}))
    # informal ties: neighbours among nearby ids, acquaintances at random (some inside the household)
    for h in range(households):
        if u[h, 11] < 0.4 and households > 1:
            o = (h + 1 + int(rng.integers(0, 5))) % households
            if o != h:
                rels.append(
                    (
                        "NEIGHBOUR_OF",
                        "Household",
                        f"H{h}",
                        "Household",
                        f"H{o}",
                        {"strength": "strong" if u[h, 12] < 0.3 else "weak"},
                    )
                )
        if u[h, 13] < 0.2 and pid > 1:
            a = persons_of[h][0]
            b = f"P{int(rng.integers(pid))}"
            if a != b:
                rels.append(
                    ("KNOWS", "Person", a, "Person", b, {"strength": "strong" if u[h, 14] < 0.3 else "weak"})
                )
    # remove duplicate relationship keys (the store would upsert them)
    seen: set[tuple[str, ...]] = set()
    uniq = []
    for r in rels:
        key = r[:5]
        if key not in seen:
            seen.add(key)
            uniq.append(r)
    return build_projection(nodes, uniq)


@pytest.fixture
def synth_town() -> Callable[..., nx.MultiDiGraph]:
    return make_synth_town
