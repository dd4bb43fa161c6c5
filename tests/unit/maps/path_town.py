"""A hand-made town whose path findings are known by construction (shared by tests/unit/maps and reports).

Agencies: 社会福祉協議会 — 地域包括支援センター — 自立相談支援機関 collaborate (a path: the 社協 holds it together);
保健センター and 子育て世代包括支援センター work only with each other (the network is split in two); an agency whose
name is a spreadsheet formula (it must reach the CSVs as text).

Households: H0 is supported by the 包括; H1–H3 are a chain of neighbours from H0 (H3 is 4 steps away); six
households C0–C5 in one half-mesh cell know each other and no agency (an isolated cluster, drawn on the map);
two households D0–D1 elsewhere form a second cluster (under 5: withheld from the map); HX has no tie at all.
Neighbour ties carry no strength (不明). H0 and the 保健センター share a household with the 包括 (a mending link).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from graphsvc.domain.codec import rel_props_to_store, to_props
from graphsvc.domain.enums import RelType
from graphsvc.domain.records import Agency, Area, Household, NodeRecord, Person, Supporter
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

R = RelType
TOWN = "pathtown"
FORMULA_NAME = '=HYPERLINK("http://x","機関")'
CLUSTER_CELL = (34.48050, 136.84050)
AGENCY_NAMES = {
    "AG-shakyo": ("テスト町社会福祉協議会", "community"),
    "AG-houkatsu": ("テスト町地域包括支援センター", "elderly"),
    "AG-jiritsu": ("テスト町自立相談支援機関", "poverty"),
    "AG-hoken": ("テスト町保健センター", "health"),
    "AG-kosodate": ("テスト町子育て世代包括支援センター", "child"),
    "AG-formula": (FORMULA_NAME, "disability"),
}


def _pt(lat: float, lon: float) -> dict[str, Any]:
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def build_path_town(data_dir: Path, town: str = TOWN) -> EmbeddedStore:
    nodes: list[NodeRow] = []
    rels: list[RelRow] = []

    def add(rec: NodeRecord) -> NodeRef:
        nodes.append(NodeRow(rec.label, rec.id, to_props(rec)))
        return NodeRef(rec.label, rec.id)

    def rel(t: RelType, a: NodeRef, b: NodeRef, **p: Any) -> None:
        rels.append(RelRow(t, a, b, rel_props_to_store(t, p)))

    add(Area(id="M", name="テスト町", kind="municipality", code="242110", centre=_pt(34.4814, 136.8434)))
    add(Area(id="A1", name="中央地区", centre=_pt(34.480, 136.840)))
    ag = {
        k: add(Agency(id=k, name=n, sectors=[s], location=_pt(34.475 + 0.004 * i, 136.835 + 0.006 * i)))
        for i, (k, (n, s)) in enumerate(AGENCY_NAMES.items())
    }
    rel(R.COLLABORATES_WITH, ag["AG-shakyo"], ag["AG-houkatsu"], level="coordination")
    rel(R.COLLABORATES_WITH, ag["AG-jiritsu"], ag["AG-shakyo"], level="cooperation")
    rel(R.COLLABORATES_WITH, ag["AG-formula"], ag["AG-shakyo"], level="awareness")
    rel(R.COLLABORATES_WITH, ag["AG-hoken"], ag["AG-kosodate"], level="integration")
    h = [
        add(Household(id=f"H{i}", area_id="A1", location=_pt(34.470 + 0.003 * i, 136.860), flags=[]))
        for i in range(4)
    ]
    p0 = add(Person(id="P0", household_id="H0", birth_year=1950))
    rel(R.MEMBER_OF, p0, h[0])
    rel(R.SUPPORTED_BY, p0, ag["AG-houkatsu"], intensity=2)
    rel(R.SUPPORTED_BY, h[0], ag["AG-hoken"], intensity=2)
    for a, b in itertools.pairwise(h):
        rel(R.NEIGHBOUR_OF, a, b)  # no strength recorded
    c = [
        add(
            Household(
                id=f"C{i}",
                area_id="A1",
                location=_pt(CLUSTER_CELL[0] + 0.0003 * i, CLUSTER_CELL[1] + 0.0002 * i),
                flags=["social_isolation"] if i == 2 else (["double_care"] if i == 4 else []),
            )
        )
        for i in range(6)
    ]
    for i in range(1, 6):
        rel(R.NEIGHBOUR_OF, c[2], c[i] if i != 2 else c[0], strength="strong" if i % 2 else "weak")
    s = add(Supporter(id="S1", name="見守りサポーター", kind="supporter"))
    rel(R.VISITS, s, c[0], per_month=2)
    d = [
        add(Household(id=f"D{i}", area_id="A1", location=_pt(34.465, 136.880 + 0.0002 * i))) for i in range(2)
    ]
    pd = [add(Person(id=f"PD{i}", household_id=f"D{i}")) for i in range(2)]
    for x, y in zip(pd, d, strict=True):
        rel(R.MEMBER_OF, x, y)
    rel(R.KNOWS, pd[0], pd[1], relation="kin", strength="strong")
    add(Household(id="HX", area_id="A1", location=_pt(34.49, 136.85)))
    store = EmbeddedStore(data_dir / f"{town}.sqlite3", town, synchronous="NORMAL")
    store.write(WriteBatch(nodes=nodes, rels=rels))
    return store
