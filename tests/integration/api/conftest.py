"""A small town and one API key per role for the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc.app import create_app
from graphsvc.bootstrap import Container, build
from graphsvc.domain import NodeLabel, RelType, to_props, validate_node
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

TOWN = "apitown"
PROFILE = {
    "skills": ["調理"],
    "interests": ["人に教える"],
    "max_hours_per_session": 4,
    "travel": {"modes": ["walk", "car"], "max_km": 30},
    "consent": {"all_hosts": True},
}
# persons: P1, P2 assigned to the coordinator (P1 consents to 参加支援 and 支援会議; P2 does not);
# P3 not assigned (consents); P9 written by the case system in some tests
PERSON_IDS = ("P-001", "P-002", "P-003")
HOUSEHOLD_IDS = ("H-001", "H-002")
CASE_IDS = ("C-001",)
NAMES = {"P-001": "鳥羽 一郎", "P-002": "鳥羽 二郎", "P-003": "答志 三郎"}


def town_batch() -> WriteBatch:
    def n(label: NodeLabel, data: dict[str, object]) -> NodeRow:
        rec = validate_node(label, data)
        return NodeRow(label, rec.id, to_props(rec))

    loc = {"lat": 34.48, "lon": 136.84}
    nodes = [
        n(NodeLabel.AREA, {"id": "A-01", "name": "鳥羽地区"}),
        n(
            NodeLabel.HOUSEHOLD,
            {
                "id": "H-001",
                "area_id": "A-01",
                "location": loc,
                "address": "鳥羽1-1",
                "flags": ["eighty_fifty"],
            },
        ),
        n(NodeLabel.HOUSEHOLD, {"id": "H-002", "area_id": "A-01", "location": loc, "address": "鳥羽2-2"}),
        n(
            NodeLabel.AGENCY,
            {"id": "AG-01", "name": "鳥羽市地域包括支援センター", "sectors": ["elderly"], "location": loc},
        ),
        n(NodeLabel.VENUE, {"id": "V-01", "name": "みなとカフェ", "kind": "community_cafe", "location": loc}),
        n(NodeLabel.EMPLOYER, {"id": "E-01", "name": "鳥羽湾旅館", "industry": "観光", "location": loc}),
        n(
            NodeLabel.OPPORTUNITY,
            {
                "id": "O-01",
                "title": "旅館の朝食配膳",
                "kind": "petit_work",
                "host_id": "E-01",
                "host_label": "Employer",
                "skills_wanted": ["調理"],
                "hours_per_session": 2,
                "capacity": {"maximum": 3},
                "location": loc,
            },
        ),
        n(
            NodeLabel.OPPORTUNITY,
            {
                "id": "O-02",
                "title": "カフェの調理補助",
                "kind": "petit_work",
                "host_id": "V-01",
                "host_label": "Venue",
                "skills_wanted": ["調理"],
                "hours_per_session": 2,
                "capacity": {"maximum": 2},
                "location": loc,
            },
        ),
        n(NodeLabel.CASE, {"id": "C-001", "household_id": "H-001", "factors": ["hikikomori"], "hard": True}),
    ]
    for pid, hid in zip(PERSON_IDS, ("H-001", "H-001", "H-002"), strict=True):
        nodes.append(
            n(
                NodeLabel.PERSON,
                {
                    "id": pid,
                    "name": NAMES[pid],
                    "household_id": hid,
                    "birth_year": 1985,
                    "participation_profile": PROFILE,
                },
            )
        )
    P, H = NodeLabel.PERSON, NodeLabel.HOUSEHOLD
    rels = [
        RelRow(RelType.MEMBER_OF, NodeRef(P, "P-001"), NodeRef(H, "H-001")),
        RelRow(RelType.MEMBER_OF, NodeRef(P, "P-002"), NodeRef(H, "H-001")),
        RelRow(RelType.MEMBER_OF, NodeRef(P, "P-003"), NodeRef(H, "H-002")),
        RelRow(
            RelType.SUPPORTED_BY, NodeRef(H, "H-001"), NodeRef(NodeLabel.AGENCY, "AG-01"), {"intensity": 2}
        ),
        RelRow(RelType.ABOUT, NodeRef(NodeLabel.CASE, "C-001"), NodeRef(H, "H-001")),
        RelRow(RelType.HANDLED_BY, NodeRef(NodeLabel.CASE, "C-001"), NodeRef(NodeLabel.AGENCY, "AG-01")),
        RelRow(
            RelType.HOSTED_BY, NodeRef(NodeLabel.OPPORTUNITY, "O-01"), NodeRef(NodeLabel.EMPLOYER, "E-01")
        ),
        RelRow(RelType.HOSTED_BY, NodeRef(NodeLabel.OPPORTUNITY, "O-02"), NodeRef(NodeLabel.VENUE, "V-01")),
    ]
    return WriteBatch(nodes=nodes, rels=rels)


@dataclass
class Api:
    client: TestClient
    container: Container
    keys: dict[str, str]

    def h(self, role: str, purpose: str | None = None, **extra: str) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.keys[role]}", **extra}
        if purpose:
            out["X-Purpose"] = purpose
        return out


def make_api(tmp_path: Path, **settings: object) -> Iterator[Api]:
    container = build(data_dir=tmp_path, **settings)
    container.store(TOWN).write(town_batch())
    system = container.system()
    keys = {
        "admin": system.keys.create(name="管理者", role="admin")[0],
        "coordinator": system.keys.create(
            name="佐藤", role="coordinator", towns=[TOWN], persons=["P-001", "P-002"]
        )[0],
        "multiagency": system.keys.create(name="会議事務局", role="multiagency", towns=[TOWN])[0],
        "community": system.keys.create(name="地域づくり", role="community", towns=[TOWN])[0],
        "case_system": system.keys.create(
            name="ケースシステムA", role="case_system", towns=[TOWN], system_id="sysA"
        )[0],
        "case_system_b": system.keys.create(
            name="ケースシステムB", role="case_system", towns=[TOWN], system_id="sysB"
        )[0],
        "other_town": system.keys.create(name="別の町", role="admin", towns=["elsewhere"])[0],
    }
    system.consents.grant(
        TOWN, "P-001", purposes=["参加支援", "支援会議"], recipients=["*"], recorded_by="test"
    )
    system.consents.grant(TOWN, "P-003", purposes=["参加支援"], recipients=["E-01"], recorded_by="test")
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield Api(client, container, keys)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(tmp_path, api_rate_per_second=10_000.0, api_rate_burst=10_000)
