"""The staff pages' consent withdrawal (同意の撤回), paging of the list pages and resource deletion: each goes
through the API's own role, scope, consent and ownership checks and writes the API's audit action."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from graphsvc.domain import NodeLabel, PlacementStatus, to_props, validate_node
from graphsvc.services.placements import PlacementService
from graphsvc.store.port import NodeRef, NodeRow, WriteBatch
from tests.integration.api.conftest import TOWN, Api
from tests.integration.web.conftest import sign_in

BASE = f"/app/towns/{TOWN}"
V1 = f"/v1/towns/{TOWN}"


def _fresh(api: Api) -> TestClient:
    return TestClient(api.client.app, raise_server_exceptions=False)


def _audit(api: Api, **kw: Any) -> list[tuple[str, str | None, list[str], str | None, int]]:
    return [
        (e.action, e.kind, e.record_ids, e.purpose, e.status)
        for e in api.container.system().audit.query(town=TOWN, **kw)
    ]


def _is_html_error(r: Any, status: int) -> None:
    """An error shown as a page (never the API's JSON, never a 500)."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")


# ------------------------------------------------------------------ 同意の撤回


def _two_grants(api: Api) -> tuple[str, str]:
    """P-002 (assigned to the coordinator) consents to 参加支援 for V-01 and, separately, for E-01."""
    reg = api.container.system().consents
    to_venue = reg.grant(TOWN, "P-002", purposes=["参加支援"], recipients=["V-01"], recorded_by="t")
    to_inn = reg.grant(
        TOWN, "P-002", purposes=["参加支援"], recipients=["E-01"], recorded_by="t", note="同意書は相談室"
    )
    return to_venue.grant_id, to_inn.grant_id


def _withdraw_url(person_id: str, grant_id: str) -> str:
    return f"{BASE}/persons/{person_id}/consents/{grant_id}/withdraw"


def test_withdrawing_a_grant_refuses_proposals_to_its_host_afterwards(api: Api) -> None:
    to_venue, to_inn = _two_grants(api)
    reg = api.container.system().consents
    assert reg.covers(TOWN, "P-002", "参加支援", "E-01")
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    page = c.get(f"{BASE}/persons/P-002")
    assert page.status_code == 200
    section = page.text.split('id="consents"')[1].split("</section>")[0]
    assert "E-01" in section and "V-01" in section and "同意書は相談室" in section
    assert section.count('name="confirm"') == 2  # a withdrawal form per current grant
    assert f'action="{_withdraw_url("P-002", to_inn)}"' in section
    assert "本人から撤回の申し出を受けたことを確認しました" in section

    # without the confirmation ticked nothing is withdrawn
    r = c.post(_withdraw_url("P-002", to_inn), data={"csrf": csrf})
    _is_html_error(r, 422)
    assert "チェックを入れてください" in r.text
    assert reg.covers(TOWN, "P-002", "参加支援", "E-01")

    r = c.post(_withdraw_url("P-002", to_inn), data={"csrf": csrf, "confirm": "1"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"{BASE}/persons/P-002?withdrawn=1#consents"
    after = c.get(r.headers["location"])
    assert after.status_code == 200 and "同意を撤回しました" in after.text
    section = after.text.split('id="consents"')[1].split("</section>")[0]
    assert "撤回済み" in section and section.count('name="confirm"') == 1
    assert not reg.covers(TOWN, "P-002", "参加支援", "E-01")
    # the API's register says so too
    listed = api.client.get(f"{V1}/persons/P-002/consents", headers=api.h("admin", "administration")).json()
    assert {g["grant_id"]: g["active"] for g in listed} == {to_venue: True, to_inn: False}

    # a proposal to O-01 (host E-01) is now refused, on the page and in the API; O-02 (host V-01) still works
    r = c.post(f"{BASE}/persons/P-002/proposals", data={"csrf": csrf, "opportunity_id": "O-01"})
    _is_html_error(r, 403)
    assert "同意していません" in r.text
    assert PlacementService(api.container.store(TOWN)).get("P-002", "O-01") is None
    coord = api.h("coordinator", "participation")
    body = {"person_id": "P-002", "opportunity_id": "O-01"}
    assert api.client.post(f"{V1}/placements", json=body, headers=coord).status_code == 403
    r = c.post(
        f"{BASE}/persons/P-002/proposals",
        data={"csrf": csrf, "opportunity_id": "O-02"},
        follow_redirects=False,
    )
    assert r.status_code == 303

    # audited with the API's action; a second withdrawal of the same grant is a 404
    assert ("consent_withdraw", "consents", ["P-002"], "参加支援", 200) in _audit(api)
    r = c.post(_withdraw_url("P-002", to_inn), data={"csrf": csrf, "confirm": "1"})
    _is_html_error(r, 404)
    assert "その同意はありません" in r.text
    assert [a for a in _audit(api, action="consent_withdraw")] == [
        ("consent_withdraw", "consents", ["P-002"], "参加支援", 200)
    ]
    assert api.container.system().audit.verify() is None


def test_withdrawing_the_only_grant_leaves_the_consent_page(api: Api) -> None:
    """P-001's one grant covers 参加支援: once withdrawn the coordinator meets the 同意が必要です page."""
    grant = api.container.system().consents.grants(TOWN, "P-001")[0]
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    r = c.post(_withdraw_url("P-001", grant.grant_id), data={"csrf": csrf, "confirm": "1"})
    assert r.status_code == 403  # followed to the person page: no consent any more
    assert "同意を撤回しました" in r.text and "同意を記録" in r.text
    r = c.post(f"{BASE}/persons/P-001/proposals", data={"csrf": csrf, "opportunity_id": "O-01"})
    assert r.status_code == 403
    assert PlacementService(api.container.store(TOWN)).get("P-001", "O-01") is None


def test_grants_show_their_state_and_only_current_ones_can_be_withdrawn(api: Api) -> None:
    reg = api.container.system().consents
    today = datetime.now(UTC).date()
    future = reg.grant(
        TOWN, "P-001", purposes=["アウトリーチ"], valid_from=today + timedelta(days=7), recorded_by="t"
    )
    past = reg.grant(
        TOWN,
        "P-001",
        purposes=["事務"],
        valid_from=today - timedelta(days=30),
        valid_until=today - timedelta(days=1),
        recorded_by="t",
    )
    c = _fresh(api)
    sign_in(c, api.keys["coordinator"], "参加支援")
    section = c.get(f"{BASE}/persons/P-001").text.split('id="consents"')[1].split("</section>")[0]
    rows = {m[0]: m[1] for m in re.findall(r"<tr class=\"(current|past)\">(.*?)</tr>", section, re.S)}
    assert "期間終了" in rows["past"] and "事務" in rows["past"]
    assert section.count("開始前") == 1 and section.count("有効") == 1
    assert _withdraw_url("P-001", future.grant_id) in section
    assert _withdraw_url("P-001", past.grant_id) not in section


def test_withdrawal_needs_the_session_token_and_a_same_site_post(api: Api) -> None:
    _, to_inn = _two_grants(api)
    reg = api.container.system().consents
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    r = c.post(_withdraw_url("P-002", to_inn), data={"confirm": "1"})
    _is_html_error(r, 403)
    assert "CSRF" in r.text
    r = c.post(_withdraw_url("P-002", to_inn), data={"csrf": "x" * 43, "confirm": "1"})
    _is_html_error(r, 403)
    r = c.post(
        _withdraw_url("P-002", to_inn),
        data={"csrf": csrf, "confirm": "1"},
        headers={"Origin": "https://evil.example"},
    )
    _is_html_error(r, 403)
    assert "別のサイトからの送信" in r.text
    assert reg.covers(TOWN, "P-002", "参加支援", "E-01")
    assert _audit(api, action="consent_withdraw") == []


def test_only_the_apis_consent_roles_may_withdraw_and_only_in_scope(api: Api) -> None:
    reg = api.container.system().consents
    p1 = reg.grants(TOWN, "P-001")[0].grant_id
    p3 = reg.grants(TOWN, "P-003")[0].grant_id
    # multiagency and community may not (DELETE /consents/{id} refuses them too)
    for role, purpose in (("multiagency", "support_meeting"), ("community", None)):
        c = _fresh(api)
        csrf = sign_in(c, api.keys[role], purpose)
        r = c.post(_withdraw_url("P-001", p1), data={"csrf": csrf, "confirm": "1"})
        _is_html_error(r, 403)
        assert "役割" in r.text
        api_status = api.client.delete(
            f"{V1}/persons/P-001/consents/{p1}", headers=api.h(role, purpose)
        ).status_code
        assert api_status == 403
    page = _fresh(api)
    sign_in(page, api.keys["multiagency"], "支援会議")
    assert 'name="confirm"' not in page.get(f"{BASE}/persons/P-001").text
    # a coordinator only for assigned persons; a case system only for its own persons
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    r = c.post(_withdraw_url("P-003", p3), data={"csrf": csrf, "confirm": "1"})
    _is_html_error(r, 404)
    assert "担当の本人ではありません" in r.text
    c = _fresh(api)
    csrf = sign_in(c, api.keys["case_system"], "事務")
    r = c.post(_withdraw_url("P-001", p1), data={"csrf": csrf, "confirm": "1"})
    _is_html_error(r, 404)
    assert reg.covers(TOWN, "P-001", "参加支援") and reg.covers(TOWN, "P-003", "参加支援", "E-01")
    assert _audit(api, action="consent_withdraw") == []
    # the case system withdraws a grant of its own person, as the API lets it
    a = api.h("case_system", "administration")
    assert api.client.put(f"{V1}/persons/S-A1", json={"name": "A の本人"}, headers=a).status_code == 201
    own = reg.grant(TOWN, "S-A1", purposes=["参加支援"], recorded_by="sysA")
    r = c.post(
        _withdraw_url("S-A1", own.grant_id), data={"csrf": csrf, "confirm": "1"}, follow_redirects=False
    )
    assert r.status_code == 303
    # admin may withdraw any person's grant
    c = _fresh(api)
    csrf = sign_in(c, api.keys["admin"], "事務")
    r = c.post(_withdraw_url("P-003", p3), data={"csrf": csrf, "confirm": "1"}, follow_redirects=False)
    assert r.status_code == 303
    assert not reg.covers(TOWN, "P-003", "参加支援", "E-01")
    got = _audit(api, action="consent_withdraw")
    assert got == [
        ("consent_withdraw", "consents", ["S-A1"], "事務", 200),
        ("consent_withdraw", "consents", ["P-003"], "事務", 200),
    ]


# ------------------------------------------------------------------ paging


def _persons(api: Api, n: int, prefix: str = "Q-") -> list[str]:
    ids = [f"{prefix}{i:03d}" for i in range(n)]
    nodes = []
    for pid in ids:
        rec = validate_node(NodeLabel.PERSON, {"id": pid, "name": f"検索 {pid}", "birth_year": 1990})
        nodes.append(NodeRow(NodeLabel.PERSON, pid, to_props(rec)))
    api.container.store(TOWN).write(WriteBatch(nodes=nodes))
    return ids


def _ids_in(html: str, prefix: str) -> list[str]:
    return re.findall(rf">({re.escape(prefix)}\d+)</a>", html)


def test_persons_list_shows_the_right_slice_and_keeps_the_query(api: Api) -> None:
    ids = _persons(api, 120)
    c = _fresh(api)
    sign_in(c, api.keys["admin"], "事務")
    r = c.get(f"{BASE}/persons", params={"q": "Q-"})
    assert r.status_code == 200
    assert _ids_in(r.text, "Q-") == ids[:50]
    assert "120件中 1–50件" in r.text
    assert 'href="/app/towns/apitown/persons?q=Q-&amp;page=2" rel="next"' in r.text
    assert '<span class="off" aria-disabled="true">前へ</span>' in r.text
    # the audit names only the persons shown
    listed = [e for e in _audit(api, action="list") if e[1] == "persons"]
    assert listed[-1][2] == ids[:50]

    r = c.get(f"{BASE}/persons", params={"q": "Q-", "page": "3"})
    assert _ids_in(r.text, "Q-") == ids[100:]
    assert "120件中 101–120件" in r.text
    assert 'href="/app/towns/apitown/persons?q=Q-&amp;page=2" rel="prev"' in r.text
    assert '<span class="off" aria-disabled="true">次へ</span>' in r.text

    r = c.get(f"{BASE}/persons", params={"q": "Q-", "per_page": "20", "page": "2"})
    assert _ids_in(r.text, "Q-") == ids[20:40]
    assert "120件中 21–40件" in r.text and "2 / 6 ページ" in r.text
    assert 'href="/app/towns/apitown/persons?q=Q-&amp;per_page=20&amp;page=3" rel="next"' in r.text
    assert 'href="/app/towns/apitown/persons?q=Q-&amp;per_page=20" rel="prev"' in r.text
    assert 'href="/app/towns/apitown/persons?q=Q-&amp;per_page=100"' in r.text  # page size links
    # a narrower query pages on its own total
    r = c.get(f"{BASE}/persons", params={"q": "Q-11"})
    assert _ids_in(r.text, "Q-") == ids[110:120] and "10件中 1–10件" in r.text and 'rel="next"' not in r.text


def test_placements_list_pages_and_keeps_the_status_filter(api: Api) -> None:
    ids = _persons(api, 25, "R-")
    svc = PlacementService(api.container.store(TOWN))
    for pid in ids:
        svc.propose(pid, "O-02", by="test")
    svc.transition("R-000", "O-02", PlacementStatus.CONTACTED, by="test")
    c = _fresh(api)
    sign_in(c, api.keys["admin"], "参加支援")
    r = c.get(f"{BASE}/placements", params={"status": "proposed", "per_page": "10"})
    assert r.status_code == 200
    shown = _ids_in(r.text, "R-")
    assert len(shown) == 10 and "R-000" not in shown  # contacted: filtered out
    assert "24件中 1–10件" in r.text and "1 / 3 ページ" in r.text
    nxt = "/app/towns/apitown/placements?status=proposed&amp;per_page=10&amp;page=2"
    assert f'href="{nxt}" rel="next"' in r.text
    r3 = c.get(f"{BASE}/placements", params={"status": "proposed", "per_page": "10", "page": "3"})
    last = _ids_in(r3.text, "R-")
    assert len(last) == 4 and "24件中 21–24件" in r3.text
    r2 = c.get(f"{BASE}/placements", params={"status": "proposed", "per_page": "10", "page": "2"})
    assert set(shown) | set(_ids_in(r2.text, "R-")) | set(last) == set(ids[1:])  # every one, once
    assert ("list", "placements", sorted(last), "参加支援", 200) in _audit(api, action="list")


def test_resource_lists_page_each_kind_and_keep_the_other_page(api: Api) -> None:
    store = api.container.store(TOWN)
    opp_ids = [f"O-{i:03d}" for i in range(3, 63)]
    nodes = []
    for oid in opp_ids:
        rec = validate_node(NodeLabel.OPPORTUNITY, {"id": oid, "title": f"作業 {oid}", "kind": "volunteer"})
        nodes.append(NodeRow(NodeLabel.OPPORTUNITY, oid, to_props(rec)))
    store.write(WriteBatch(nodes=nodes))
    c = _fresh(api)
    sign_in(c, api.keys["community"])
    r = c.get(f"{BASE}/resources")
    assert r.status_code == 200
    assert "62件中 1–50件" in r.text and "1件中 1–1件" in r.text  # 60 + O-01, O-02; one venue
    r = c.get(f"{BASE}/resources", params={"opage": "2"})
    rows = re.findall(r"<tr><td>(O-[\w-]+)</td>", r.text)
    assert rows == sorted(["O-01", "O-02", *opp_ids])[50:] and "62件中 51–62件" in r.text
    assert 'href="/app/towns/apitown/resources#opportunities" rel="prev"' in r.text
    assert "V-01" in r.text  # the venues' list is still there, on its first page
    r = c.get(f"{BASE}/resources", params={"opage": "2", "vpage": "1", "per_page": "20"})
    assert "62件中 21–40件" in r.text
    assert 'href="/app/towns/apitown/resources?per_page=20&amp;vpage=1&amp;opage=3#opportunities"' in r.text


def test_bad_page_values_get_a_japanese_error_page_never_a_500(api: Api) -> None:
    _persons(api, 30)
    c = _fresh(api)
    sign_in(c, api.keys["admin"], "参加支援")
    cases = [
        (f"{BASE}/persons?q=Q-&page=abc", "整数で指定してください"),
        (f"{BASE}/persons?q=Q-&page=0", "整数で指定してください"),
        (f"{BASE}/persons?q=Q-&page=-1", "整数で指定してください"),
        (f"{BASE}/persons?q=Q-&page=1.5", "整数で指定してください"),
        (f"{BASE}/persons?q=Q-&page=99999999999999999999", "整数で指定してください"),
        (f"{BASE}/persons?q=Q-&page=2", "2ページ目はありません。全30件、1ページです"),
        (f"{BASE}/persons?q=Q-&per_page=1000", "1ページの件数 (per_page) は 1〜200 の整数"),
        (f"{BASE}/persons?q=Q-&per_page=x", "1ページの件数"),
        (f"{BASE}/placements?page=%E4%B8%80", "整数で指定してください"),
        (f"{BASE}/placements?page=5", "5ページ目はありません"),
        (f"{BASE}/resources?opage=9", "9ページ目はありません"),
        (f"{BASE}/resources?vpage=zz", "ページ番号 (vpage)"),
    ]
    for url, message in cases:
        r = c.get(url)
        _is_html_error(r, 422)
        assert message in r.text, (url, r.text)
        assert "入力が正しくありません" in r.text and "一覧の最初のページへ" in r.text
    assert [e for e in _audit(api, action="list") if e[1] == "persons"] == []  # nothing shown, nothing logged


# ------------------------------------------------------------------ resource deletion


def _venue(api: Api, vid: str) -> None:
    rec = validate_node(NodeLabel.VENUE, {"id": vid, "name": "公民館の和室", "kind": "community_center"})
    api.container.store(TOWN).write(WriteBatch(nodes=[NodeRow(NodeLabel.VENUE, vid, to_props(rec))]))


def _exists(api: Api, label: NodeLabel, rid: str) -> bool:
    return api.container.store(TOWN).get_node(NodeRef(label, rid)) is not None


def test_admin_deletes_an_unreferenced_resource_after_confirming(api: Api) -> None:
    _venue(api, "V-new")
    c = _fresh(api)
    csrf = sign_in(c, api.keys["admin"])
    edit = c.get(f"{BASE}/resources/venue/V-new/edit")
    assert edit.status_code == 200
    assert f'href="{BASE}/resources/venue/V-new/delete"' in edit.text and "削除へ進む" in edit.text
    confirm = c.get(f"{BASE}/resources/venue/V-new/delete")
    assert confirm.status_code == 200
    assert "元に戻せません" in confirm.text and "公民館の和室" in confirm.text
    assert f'action="{BASE}/resources/venue/V-new/delete"' in confirm.text
    # no token, or a token from elsewhere: refused, nothing deleted
    _is_html_error(c.post(f"{BASE}/resources/venue/V-new/delete", data={}), 403)
    r = c.post(
        f"{BASE}/resources/venue/V-new/delete",
        data={"csrf": csrf},
        headers={"Origin": "https://evil.example"},
    )
    _is_html_error(r, 403)
    assert _exists(api, NodeLabel.VENUE, "V-new")
    r = c.post(f"{BASE}/resources/venue/V-new/delete", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/resources?deleted=V-new"
    assert "「V-new」を削除しました" in c.get(r.headers["location"]).text
    assert not _exists(api, NodeLabel.VENUE, "V-new")
    assert _audit(api, action="delete") == [("delete", "venues", ["V-new"], None, 200)]
    _is_html_error(c.post(f"{BASE}/resources/venue/V-new/delete", data={"csrf": csrf}), 404)


def test_a_resource_still_referenced_is_not_deleted(api: Api) -> None:
    PlacementService(api.container.store(TOWN)).propose("P-001", "O-01", by="test")
    c = _fresh(api)
    csrf = sign_in(c, api.keys["admin"])
    confirm = c.get(f"{BASE}/resources/opportunity/O-01/delete")
    assert confirm.status_code == 200
    assert "参照されているため削除できません" in confirm.text
    assert "受け入れ先" in confirm.text and "E-01" in confirm.text and "HOSTED_BY" in confirm.text
    assert "PLACED_IN" in confirm.text and "P-001" not in confirm.text  # a person is counted, not named
    assert "削除する</button>" not in confirm.text
    r = c.post(f"{BASE}/resources/opportunity/O-01/delete", data={"csrf": csrf})
    _is_html_error(r, 409)
    assert "削除できませんでした" in r.text
    assert _exists(api, NodeLabel.OPPORTUNITY, "O-01")
    # the API refuses the same delete (without detach)
    assert api.client.delete(f"{V1}/opportunities/O-01", headers=api.h("admin")).status_code == 409
    r = c.post(f"{BASE}/resources/venue/V-01/delete", data={"csrf": csrf})  # O-02 is hosted there
    _is_html_error(r, 409)
    assert _exists(api, NodeLabel.VENUE, "V-01")
    assert _audit(api, action="delete") == []


def test_delete_is_refused_to_the_roles_and_owners_the_api_refuses(api: Api) -> None:
    _venue(api, "V-admin")
    a = api.h("case_system", "administration")
    body = {"name": "Aの居場所", "kind": "other"}
    assert api.client.put(f"{V1}/venues/V-sysA", json=body, headers=a).status_code == 201
    for role, purpose in (
        ("coordinator", "participation"),
        ("multiagency", "support_meeting"),
        ("community", None),
    ):
        c = _fresh(api)
        csrf = sign_in(c, api.keys[role], purpose)
        _is_html_error(c.get(f"{BASE}/resources/venue/V-admin/delete"), 403)
        r = c.post(f"{BASE}/resources/venue/V-admin/delete", data={"csrf": csrf})
        _is_html_error(r, 403)
        assert "役割" in r.text
        assert api.client.delete(f"{V1}/venues/V-admin", headers=api.h(role, purpose)).status_code == 403
    # a case system may delete only what it wrote
    b = _fresh(api)
    csrf_b = sign_in(b, api.keys["case_system_b"], "事務")
    r = b.post(f"{BASE}/resources/venue/V-sysA/delete", data={"csrf": csrf_b})
    _is_html_error(r, 409)
    assert "他のシステムまたは管理者が登録した記録は変更できません" in r.text
    _is_html_error(b.post(f"{BASE}/resources/venue/V-admin/delete", data={"csrf": csrf_b}), 409)
    assert _exists(api, NodeLabel.VENUE, "V-sysA") and _exists(api, NodeLabel.VENUE, "V-admin")
    assert _audit(api, action="delete") == []
    ca = _fresh(api)
    csrf_a = sign_in(ca, api.keys["case_system"], "事務")
    r = ca.post(f"{BASE}/resources/venue/V-sysA/delete", data={"csrf": csrf_a}, follow_redirects=False)
    assert r.status_code == 303
    assert not _exists(api, NodeLabel.VENUE, "V-sysA")
    assert api.container.system().ownership.owners(TOWN, "venues", ["V-sysA"]) == {}
    assert _audit(api, action="delete") == [("delete", "venues", ["V-sysA"], "事務", 200)]
    # a type that is neither, or an unknown id: 404 pages
    _is_html_error(ca.get(f"{BASE}/resources/agency/AG-01/delete"), 404)
    _is_html_error(ca.get(f"{BASE}/resources/venue/V-none/delete"), 404)
