"""The path findings (reachability, isolated clusters, the agency network) through both front doors, under the
role rules: counts and agency names for community developers, household ids and chains for the roles that may
see them (audited)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.integration.api.conftest import TOWN, Api
from tests.integration.web.conftest import sign_in

T = f"/v1/towns/{TOWN}"
BASE = f"/app/towns/{TOWN}"
IDS = ("H-001", "H-002", "P-001", "P-002", "P-003")


def test_api_community_gets_the_findings_and_counts_without_households(api: Api) -> None:
    res = api.client.get(f"{T}/gaps", headers=api.h("community"))
    assert res.status_code == 200
    body = res.json()
    rep = body["report"]
    assert body["view"] == "aggregate"
    # H-002 has no tie at all: the finding says so in numbers only
    assert any("2世帯のうち 1世帯" in f for f in rep["findings_ja"])
    assert rep["reachability"]["hops"]["agency"] == {"1": 1, "none": 1}
    assert rep["reachability"]["no_tie_count"] == 1
    assert [c["agencies"][0]["name"] for c in rep["agency_network"]["components"]] == [
        "鳥羽市地域包括支援センター"
    ]
    text = json.dumps(body, ensure_ascii=False)
    assert [x for x in IDS if x in text] == []


def test_api_full_view_has_households_and_chains_and_is_audited(api: Api) -> None:
    res = api.client.get(f"{T}/gaps", headers=api.h("multiagency", "support_meeting"))
    assert res.status_code == 200
    rep = res.json()["report"]
    assert rep["reachability"]["no_tie"] == ["H-002"]
    assert rep["isolation"]["outreach"][0]["household_id"] == "H-002"
    assert rep["agency_network"]["agencies"] == 1 and rep["agency_network"]["split"] is False
    audit = api.container.system().audit.query(town=TOWN, action="gaps")
    assert any(e.kind == "gap_report" for e in audit)


def _fresh(api: Api) -> TestClient:
    return TestClient(api.client.app, raise_server_exceptions=False)


def test_pages_show_the_findings_by_role(api: Api) -> None:
    c = _fresh(api)
    sign_in(c, api.keys["community"])
    page = c.get(f"{BASE}/gaps")
    assert page.status_code == 200
    assert (
        'id="findings"' in page.text and "人づてに機関まで届くか" in page.text and "機関の連携網" in page.text
    )
    assert [x for x in IDS if x in page.text] == []
    c = _fresh(api)
    csrf = sign_in(c, api.keys["multiagency"])
    c.post("/app/purpose", data={"csrf": csrf, "purpose": "支援会議", "next": "/app/"})
    page = c.get(f"{BASE}/gaps")
    assert page.status_code == 200
    assert 'id="agency-network"' in page.text and 'id="reachability"' in page.text
    assert f'href="/app/towns/{TOWN}/households/H-002"' in page.text  # the household behind the finding
    assert "届かない" in page.text


def _hop_cells(html: str) -> list[list[str]]:
    import re

    table = html[html.index('id="hop-table"') :]
    table = table[: table.index("</table>")]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in table.split("<tr>")[2:]]


def test_hop_table_on_both_views_counts_every_step(api: Api) -> None:
    """The steps table (1 … k, beyond k, none) on the aggregate and the full page, with the same columns for
    every target: H-001 is one step from the agency, H-002 has no tie."""
    for role, purpose in (("community", None), ("multiagency", "支援会議")):
        c = _fresh(api)
        sign_in(c, api.keys[role], purpose)
        page = c.get(f"{BASE}/gaps")
        assert page.status_code == 200
        rows = _hop_cells(page.text)
        assert rows[0] == ["支援関係機関", "1", "0", "0", "0", "1"], role
        assert [len(r) for r in rows] == [6, 6, 6], role


def test_household_page_shows_its_chains_to_the_roles_that_see_the_full_report(api: Api) -> None:
    """A household's chain to the nearest agency (who carries the message), for admin and multiagency (names
    withheld there), audited; the case system reads the household but sees no chains."""
    from graphsvc.domain.codec import rel_props_to_store
    from graphsvc.domain.enums import NodeLabel, RelType
    from graphsvc.store.port import NodeRef, RelRow, WriteBatch

    store = api.container.store(TOWN)
    P = NodeLabel.PERSON
    # P-003 (of H-002) knows P-001 (of H-001, supported by AG-01): H-002 is two steps from the agency
    store.write(
        WriteBatch(
            rels=[
                RelRow(
                    RelType.KNOWS,
                    NodeRef(P, "P-003"),
                    NodeRef(P, "P-001"),
                    rel_props_to_store(RelType.KNOWS, {"relation": "friend", "strength": "strong"}),
                )
            ]
        )
    )
    c = _fresh(api)
    sign_in(c, api.keys["multiagency"], "支援会議")
    page = c.get(f"{BASE}/households/H-002")
    assert page.status_code == 200
    assert 'id="household-reach"' in page.text
    section = page.text[page.text.index('id="household-reach"') :]
    section = section[: section.index("</section>")]
    assert "鳥羽市地域包括支援センター" in section and "H-001" in section and "友人" in section
    assert ">2<" in section  # two steps
    for pid in ("P-001", "P-003"):
        from tests.integration.api.conftest import NAMES

        assert NAMES[pid] not in page.text  # names withheld from multiagency
    audit = api.container.system().audit.query(town=TOWN, action="gaps")
    assert any(e.kind == "gap_report" and e.record_ids == ["H-002"] for e in audit)
    c = _fresh(api)
    sign_in(c, api.keys["case_system"], "支援会議")
    page = c.get(f"{BASE}/households/H-002")
    assert page.status_code == 200 and "世帯 H-002" in page.text
    assert 'id="household-reach"' not in page.text
    c = _fresh(api)
    sign_in(c, api.keys["admin"], "支援会議")
    page = c.get(f"{BASE}/households/H-001")
    assert page.status_code == 200
    section = page.text[page.text.index('id="household-reach"') :]
    section = section[: section.index("</section>")]
    assert "鳥羽市地域包括支援センター" in section and ">1<" in section


def test_household_flags_form_for_writers(api: Api) -> None:
    """The household page offers the situation flags (ダブルケア, ヤングケアラー, 8050, 社会的孤立 …) to the
    writers: saving keeps every other field, an unknown value is refused on the page and writes nothing, the
    other roles get no form and are refused the POST."""
    from graphsvc.domain.enums import NodeLabel
    from graphsvc.store.port import NodeRef

    store = api.container.store(TOWN)
    before = store.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-002"))
    assert before is not None
    c = _fresh(api)
    csrf = sign_in(c, api.keys["admin"], "支援会議")
    page = c.get(f"{BASE}/households/H-002")
    assert page.status_code == 200 and 'id="flag-form"' in page.text
    for label in ("ダブルケア", "ヤングケアラー", "8050世帯", "社会的孤立"):
        assert label in page.text
    r = c.post(
        f"{BASE}/households/H-002/flags",
        data={"csrf": csrf, "flags": ["social_isolation", "double_care"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/households/H-002?saved=flags")
    after = store.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-002"))
    assert after is not None and after.props["flags"] == ["double_care", "social_isolation"]
    assert {k: v for k, v in after.props.items() if k != "flags"} == {
        k: v for k, v in before.props.items() if k != "flags"
    }
    page = c.get(r.headers["location"])
    assert "ダブルケア、社会的孤立" in page.text and "保存しました" in page.text
    audit = api.container.system().audit.query(town=TOWN, action="upsert")
    assert any(e.kind == "households" and e.record_ids == ["H-002"] for e in audit)
    # an unknown value: refused on the page, nothing written
    r = c.post(f"{BASE}/households/H-002/flags", data={"csrf": csrf, "flags": ["double_care", "triple_care"]})
    assert r.status_code == 422 and "triple_care" in r.text and 'class="errors"' in r.text
    assert store.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-002")).props["flags"] == [  # type: ignore[union-attr]
        "double_care",
        "social_isolation",
    ]
    # clearing every flag
    r = c.post(f"{BASE}/households/H-002/flags", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert not store.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-002")).props.get("flags")  # type: ignore[union-attr]
    # multiagency reads the household but may not change it
    c = _fresh(api)
    csrf = sign_in(c, api.keys["multiagency"], "支援会議")
    page = c.get(f"{BASE}/households/H-002")
    assert page.status_code == 200 and 'id="flag-form"' not in page.text
    r = c.post(f"{BASE}/households/H-002/flags", data={"csrf": csrf, "flags": ["double_care"]})
    assert r.status_code == 403
    assert not store.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-002")).props.get("flags")  # type: ignore[union-attr]
