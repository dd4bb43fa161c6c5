"""A small hand-made town near 鳥羽 for the map and report tests (shared by tests/unit/maps and reports).

Households: 7 isolated ones in one 2分の1地域メッシュ cell (drawn), 3 isolated ones in another (suppressed),
one isolated household with no coordinates, 4 supported households in a second area. Agencies: elderly,
poverty, one with no sector, one with no location. A venue, an employer, an opportunity with room hosted by
the employer (no location of its own), a full one and a remote one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphsvc.domain.codec import rel_props_to_store, to_props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.records import (
    Agency,
    Area,
    Case,
    Employer,
    Household,
    NodeRecord,
    Opportunity,
    Person,
    Venue,
)
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

R = RelType
TOWN = "small"

# (lat, lon) of the two clusters: 7 households and 3 households, each inside one half-mesh cell
CLUSTER_BIG = (34.48050, 136.84050)
CLUSTER_SMALL = (34.47050, 136.86050)
LOCATED_RESOURCES = 6  # AG1, AG2, AG3, V1, E1, O1 (at its host's point)


def _pt(lat: float, lon: float) -> dict[str, Any]:
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def build_small_town(data_dir: Path, town: str = TOWN) -> EmbeddedStore:
    nodes: list[NodeRow] = []
    rels: list[RelRow] = []

    def add(rec: NodeRecord) -> NodeRef:
        nodes.append(NodeRow(rec.label, rec.id, to_props(rec)))
        return NodeRef(rec.label, rec.id)

    def rel(t: RelType, a: NodeRef, b: NodeRef, **p: Any) -> None:
        rels.append(RelRow(t, a, b, rel_props_to_store(t, p)))

    add(Area(id="M", name="テスト市", kind="municipality", code="242110", centre=_pt(34.4814, 136.8434)))
    a1 = add(Area(id="A1", name="中央地区", centre=_pt(34.480, 136.840)))
    a2 = add(Area(id="A2", name="東地区", centre=_pt(34.462, 136.870)))
    for k in range(7):
        h = add(
            Household(
                id=f"HB{k}",
                area_id="A1",
                location=_pt(CLUSTER_BIG[0] + 0.000131 * k, CLUSTER_BIG[1] + 0.000173 * k),
                flags=["single_elderly"],
            )
        )
        rel(R.IN_AREA, h, a1)
        p = add(Person(id=f"PB{k}", name=f"山田 太郎{k}", household_id=h.id, birth_year=1940))
        rel(R.MEMBER_OF, p, h)
    for k in range(3):
        h = add(
            Household(
                id=f"HS{k}",
                area_id="A1",
                location=_pt(CLUSTER_SMALL[0] + 0.000137 * k, CLUSTER_SMALL[1] + 0.000191 * k),
                flags=["hoarding"],
            )
        )
        rel(R.IN_AREA, h, a1)
    hn = add(Household(id="HNOLOC", area_id="A2", flags=["single_elderly"]))
    rel(R.IN_AREA, hn, a2)

    ag1 = add(
        Agency(
            id="AG1",
            name="包括支援センター",
            kind="comprehensive_care_center",
            sectors=["elderly"],
            location=_pt(34.4830, 136.8420),
        )
    )
    ag2 = add(
        Agency(
            id="AG2",
            name="自立相談支援機関",
            kind="self_reliance_support",
            sectors=["poverty"],
            location=_pt(34.4790, 136.8460),
        )
    )
    add(Agency(id="AG3", name="分野なし相談所", location=_pt(34.4650, 136.8650)))
    add(Agency(id="AG4", name="位置なし機関", sectors=["child"]))
    rel(R.COLLABORATES_WITH, ag1, ag2, level="cooperation")
    for k in range(4):
        h = add(Household(id=f"HT{k}", area_id="A2", location=_pt(34.462117 + 0.001013 * k, 136.870231)))
        rel(R.IN_AREA, h, a2)
        rel(R.SUPPORTED_BY, h, ag1, intensity=2)
        if k < 2:
            rel(R.SUPPORTED_BY, h, ag2, intensity=2)
    c = add(Case(id="C1", factors=["dementia", "debt"], hard=True))
    rel(R.ABOUT, c, NodeRef(NodeLabel.HOUSEHOLD, "HT0"))
    rel(R.HANDLED_BY, c, ag1, lead=True)

    add(
        Venue(
            id="V1",
            name="みなとサロン",
            kind="hub_salon",
            sectors=["community"],
            location=_pt(34.4810, 136.8390),
            capacity={"maximum": 10},
        )
    )
    e1 = add(Employer(id="E1", name="旅館うみかぜ", industry="観光", location=_pt(34.4760, 136.8500)))
    o1 = add(
        Opportunity(id="O1", title="朝食の配膳", kind="petit_work", capacity={"maximum": 3, "available": 2})
    )
    rel(R.HOSTED_BY, o1, e1)
    o2 = add(
        Opportunity(
            id="O2",
            title="満員の体験",
            kind="work_experience",
            capacity={"maximum": 2, "available": 0},
            location=_pt(34.47, 136.85),
        )
    )
    rel(R.HOSTED_BY, o2, e1)
    add(Opportunity(id="O3", title="在宅の入力作業", kind="remote_task", remote=True))

    store = EmbeddedStore(data_dir / f"{town}.sqlite3", town)
    store.write(WriteBatch(nodes=nodes, rels=rels))
    return store


def household_points(store: EmbeddedStore) -> list[tuple[str, str | None, str | None]]:
    """(id, lat text, lon text) of every household, as stored."""
    out = []
    for row in store.iter_nodes(NodeLabel.HOUSEHOLD):
        lat, lon = row.props.get("lat"), row.props.get("lon")
        out.append((row.id, None if lat is None else str(lat), None if lon is None else str(lon)))
    return out


def person_names(store: EmbeddedStore) -> list[str]:
    return [str(r.props["name"]) for r in store.iter_nodes(NodeLabel.PERSON) if r.props.get("name")]
