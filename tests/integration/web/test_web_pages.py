"""The staff pages (/app/) through FastAPI's TestClient: sign-in and sessions, CSRF, field errors that keep what
was typed, the API's role and consent rules, and the audit entries page views write."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from graphsvc.domain import NodeLabel
from graphsvc.domain.codec import node_from_props
from graphsvc.services.placements import PlacementService
from graphsvc.store.port import NodeRef
from tests.integration.api.conftest import TOWN, Api
from tests.integration.web.conftest import hidden, sign_in

BASE = f"/app/towns/{TOWN}"


def _fresh(api: Api) -> TestClient:
    """A second browser on the same app (its own cookie jar)."""
    return TestClient(api.client.app, raise_server_exceptions=False)


def _audit(api: Api, **kw: str) -> list[tuple[str, str | None, list[str], str | None, int]]:
    return [
        (e.action, e.kind, e.record_ids, e.purpose, e.status)
        for e in api.container.system().audit.query(town=TOWN, **kw)
    ]


# ------------------------------------------------------------------ sign-in and sessions


def test_pages_need_sign_in(api: Api) -> None:
    c = _fresh(api)
    r = c.get(f"{BASE}/persons", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/app/signin?next=/app/towns/")


def test_sign_in_sets_a_signed_httponly_strict_cookie_without_the_key(api: Api) -> None:
    c = _fresh(api)
    page = c.get("/app/signin")
    r = c.post(
        "/app/signin",
        data={"api_key": api.keys["coordinator"], "token": hidden(page.text, "token"), "next": "/app/"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("tsunagari_session="))
    low = cookie.lower()
    assert "httponly" in low and "samesite=strict" in low and "path=/app/" in low
    value = cookie.split(";", 1)[0].split("=", 1)[1].strip('"')
    secret_part = api.keys["coordinator"].split("_", 2)[2]
    key_id = api.keys["coordinator"].split("_", 2)[1]
    assert secret_part not in value and key_id not in value
    sid, _, mac = value.rpartition(".")
    assert len(sid) >= 40 and len(mac) == 64
    assert "佐藤" in c.get("/app/").text


def test_wrong_key_and_forged_cookie_are_refused(api: Api) -> None:
    c = _fresh(api)
    page = c.get("/app/signin")
    r = c.post(
        "/app/signin",
        data={"api_key": "tsk_nothere_xxxx", "token": hidden(page.text, "token")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error=1" in r.headers["location"]
    assert "APIキーが無効です" in c.get(r.headers["location"]).text
    c.cookies.set("tsunagari_session", "abc.def", path="/app/")
    assert c.get("/app/", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_and_revoking_the_key_too(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"])
    old = dict(c.cookies)
    r = c.post("/app/signout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    c2 = _fresh(api)
    for k, v in old.items():
        c2.cookies.set(k, v, path="/app/")
    assert c2.get("/app/", follow_redirects=False).status_code == 303  # the old cookie is dead

    c3 = _fresh(api)
    sign_in(c3, api.keys["multiagency"])
    key_id = api.keys["multiagency"].split("_", 2)[1]
    api.container.system().keys.revoke(key_id)
    assert c3.get("/app/", follow_redirects=False).status_code == 303


# ------------------------------------------------------------------ CSRF


def test_posts_without_the_session_token_are_refused(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    r = c.post("/app/purpose", data={"purpose": "事務", "next": "/app/"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post(f"{BASE}/persons/P-001/proposals", data={"csrf": "x" * 43, "opportunity_id": "O-01"})
    assert r.status_code == 403
    assert PlacementService(api.container.store(TOWN)).get("P-001", "O-01") is None
    # a cross-site post is refused even with a token
    r = c.post(
        f"{BASE}/persons/P-001/proposals",
        data={"csrf": csrf, "opportunity_id": "O-01"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert PlacementService(api.container.store(TOWN)).get("P-001", "O-01") is None
    # the sign-in form has its own token
    r = _fresh(api).post("/app/signin", data={"api_key": api.keys["admin"]})
    assert r.status_code == 403


# ------------------------------------------------------------------ the coordinator's flow


def test_coordinator_sees_reasons_records_a_proposal_and_follows_it_up(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    found = c.get(f"{BASE}/persons", params={"q": "一郎"})
    assert found.status_code == 200 and "P-001" in found.text and "P-003" not in found.text
    page = c.get(f"{BASE}/persons/P-001")
    assert page.status_code == 200
    assert "旅館の朝食配膳" in page.text and "寄与 / 満点" in page.text
    assert "調理" in page.text  # a factor's reason names the matched skill
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    r = c.post(
        f"{BASE}/persons/P-001/proposals",
        data={"csrf": csrf, "opportunity_id": "O-01", "note": "本人と面談済み"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    follow = c.get(r.headers["location"])
    assert follow.status_code == 200
    assert "提案" in follow.text and "佐藤" in follow.text and "本人と面談済み" in follow.text
    # only the transitions the lifecycle allows are offered
    options = re.findall(
        r'<option value="(\w+)"', follow.text.split('name="status"')[1].split("</select>")[0]
    )
    assert set(options) == {"contacted", "declined"}
    r = c.post(
        r.headers["location"],
        data={"csrf": csrf, "status": "contacted", "host_notes": "月曜は忙しい"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    p = PlacementService(api.container.store(TOWN)).get("P-001", "O-01")
    assert p is not None and p.props.status.value == "contacted" and p.props.host_notes == "月曜は忙しい"
    # a jump the lifecycle forbids is shown as a message, nothing written
    r = c.post(r.headers["location"].split("?")[0], data={"csrf": csrf, "status": "ended"})
    assert r.status_code == 409 and "進めません" in r.text
    listed = c.get(f"{BASE}/placements")
    assert "P-001" in listed.text and "打診済み" in listed.text


def test_proposal_needs_consent_covering_the_host(api: Api) -> None:
    system = api.container.system()
    system.consents.grant(TOWN, "P-002", purposes=["参加支援"], recipients=["V-01"], recorded_by="t")
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    page = c.get(f"{BASE}/persons/P-002")
    assert page.status_code == 200
    # one consent: the register's grant (V-01 only) is what the matching reads, so O-01 (host E-01) is not
    # offered but listed among the exclusions with the consent reason, and O-02 (host V-01) may be proposed
    excluded = page.text.split("除外した参加先", 1)[1]
    assert "O-01" in excluded and "同意の範囲外" in excluded
    assert 'value="O-02"' in page.text.split("除外した参加先", 1)[0]
    r = c.post(f"{BASE}/persons/P-002/proposals", data={"csrf": csrf, "opportunity_id": "O-01"})
    assert r.status_code == 403 and "同意していません" in r.text
    r = c.post(
        f"{BASE}/persons/P-002/proposals",
        data={"csrf": csrf, "opportunity_id": "O-02"},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_purpose_is_required_and_checked_like_the_api(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"])
    r = c.get(f"{BASE}/persons/P-001")
    assert r.status_code == 422 and "利用目的" in r.text
    r = c.post("/app/purpose", data={"csrf": csrf, "purpose": "支援会議", "next": "/app/"})
    assert r.status_code == 403  # not a coordinator's purpose
    # an assigned person without consent: 403 and the consent form; someone else's person: 404
    c.post("/app/purpose", data={"csrf": csrf, "purpose": "参加支援", "next": "/app/"})
    r = c.get(f"{BASE}/persons/P-002")
    assert r.status_code == 403 and "同意を記録" in r.text
    assert c.get(f"{BASE}/persons/P-003").status_code == 404
    r = c.post(
        f"{BASE}/persons/P-002/consents",
        data={"csrf": csrf, "purposes": "参加支援", "recipients": "*"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert c.get(f"{BASE}/persons/P-002").status_code == 200


# ------------------------------------------------------------------ forms keep what was typed


def test_profile_errors_sit_next_to_their_fields_and_keep_the_input(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    before = api.container.store(TOWN).get_node(NodeRef(NodeLabel.PERSON, "P-001"))
    r = c.post(
        f"{BASE}/persons/P-001/profile",
        data={
            "csrf": csrf,
            "skills": "調理\n盛り付け",
            "max_hours_per_session": "abc",
            "tw_weekday_0": "mon",
            "tw_opens_0": "25:00",
            "tw_closes_0": "12:00",
            "travel_modes": "walk",
            "travel_max_km": "-3",
            "free_text": "人混みは苦手。入力を残す",
            "contact_comfort": "3",
            "readiness": "3",
            "max_physical_load": "5",
        },
    )
    assert r.status_code == 422
    html = r.text
    assert 'value="abc"' in html and "25:00" in html and "人混みは苦手。入力を残す" in html
    assert "調理\n盛り付け" in html
    assert re.search(r'id="err-max_hours_per_session"[^>]*>数値で指定してください', html)
    assert re.search(r'id="err-tw_0"[^>]*>参加できる時間帯 1行目: .*0:00〜24:00', html)
    assert re.search(r'id="err-travel_max_km"[^>]*>0(\.0)?以上', html)
    after = api.container.store(TOWN).get_node(NodeRef(NodeLabel.PERSON, "P-001"))
    assert before is not None and after is not None and before.props == after.props  # nothing written
    ok = c.post(
        f"{BASE}/persons/P-001/profile",
        data={
            "csrf": csrf,
            "skills": "調理",
            "max_hours_per_session": "3",
            "travel_modes": "walk",
            "consent_all_hosts": "1",
            "contact_comfort": "2",
            "readiness": "3",
            "max_physical_load": "5",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert any(a == "upsert" and ids == ["P-001"] for a, _, ids, _, _ in _audit(api, action="upsert"))


def test_resource_form_validates_each_field_in_japanese(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["admin"])
    assert c.get(f"{BASE}/resources/new?type=opportunity").status_code == 200
    r = c.post(
        f"{BASE}/resources/new?type=opportunity",
        data={
            "csrf": csrf,
            "id": "O-new",
            "title": "漁具の片付け",
            "kind": "petit_work",
            "host": "Employer:E-01",
            "sl_weekday_0": "sat",
            "sl_opens_0": "10:00",
            "sl_closes_0": "09:00",
            "hours_per_session": "30",
            "difficulty": "2",
            "contact_load": "1",
            "physical_load": "3",
            "cap_maximum": "2",
            "cap_available": "5",
            "lat": "10",
            "lon": "136.8",
        },
    )
    assert r.status_code == 422
    html = r.text
    assert 'value="漁具の片付け"' in html and 'value="10:00"' in html and 'value="30"' in html
    assert re.search(r'id="err-sl_0"[^>]*>曜日・時間 1行目: 開始時刻 10:00 が終了時刻 09:00 より後です', html)
    assert re.search(r'id="err-hours_per_session"[^>]*>24(\.0)?以下', html)
    assert re.search(r'id="err-lat"[^>]*>座標 \(10.0, 136.8\) が日本の範囲外です', html)
    assert re.search(r'id="err-cap_available"[^>]*>空き\(5\)が定員\(2\)を超えています', html)
    r = c.post(
        f"{BASE}/resources/new?type=opportunity",
        data={
            "csrf": csrf,
            "id": "O-new",
            "title": "漁具の片付け",
            "kind": "petit_work",
            "host": "Employer:E-01",
            "sl_weekday_0": "sat",
            "sl_opens_0": "09:00",
            "sl_closes_0": "11:00",
            "hours_per_session": "2",
            "difficulty": "2",
            "contact_load": "1",
            "physical_load": "3",
            "cap_maximum": "2",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    row = api.container.store(TOWN).get_node(NodeRef(NodeLabel.OPPORTUNITY, "O-new"))
    assert row is not None and row.props["title"] == "漁具の片付け"
    # a venue, and an id already taken
    r = c.post(
        f"{BASE}/resources/new?type=venue", data={"csrf": csrf, "id": "V-01", "name": "", "kind": "temple"}
    )
    assert r.status_code == 422 and "既に使われています" in r.text
    # writes are the API's: coordinators and community may not register resources
    c2 = _fresh(api)
    sign_in(c2, api.keys["coordinator"])
    assert c2.get(f"{BASE}/resources/new?type=venue").status_code == 403


# ------------------------------------------------------------------ community


def test_community_never_reaches_a_person_and_sees_no_ids(api: Api) -> None:
    c = _fresh(api)
    sign_in(c, api.keys["community"])
    assert c.get(f"{BASE}/persons/P-001").status_code == 403
    assert c.get(f"{BASE}/persons").status_code == 403
    assert c.get(f"{BASE}/placements").status_code == 403
    assert c.get(f"{BASE}/households/H-001").status_code == 403
    assert c.get(f"{BASE}/gaps/print").status_code == 403
    for url in ("/app/", f"{BASE}/gaps", f"{BASE}/map", f"{BASE}/map/embed", f"{BASE}/resources"):
        r = c.get(url)
        assert r.status_code == 200, url
        for pid in ("P-001", "P-002", "P-003", "H-001", "H-002", "C-001", "一郎"):
            assert pid not in r.text, (url, pid)
    assert "参加支援: 本人を探す" not in c.get("/app/").text


def test_multiagency_gap_report_links_households_to_their_justification(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["multiagency"])
    assert c.get(f"{BASE}/gaps").status_code == 422  # purpose first, as GET /gaps
    c.post("/app/purpose", data={"csrf": csrf, "purpose": "支援会議", "next": "/app/"})
    r = c.get(f"{BASE}/gaps")
    assert r.status_code == 200
    assert "鳥羽 一郎" not in r.text
    hh = c.get(f"{BASE}/households/H-001")
    assert hh.status_code == 200 and "地域包括支援センター" in hh.text and "C-001" in hh.text
    assert "鳥羽1-1" not in hh.text  # the address is withheld without consent covering 支援会議
    assert ("gaps", "gap_report", [], "支援会議", 200) in _audit(api, action="gaps")
    assert ("read", "households", ["H-001"], "支援会議", 200) in _audit(api, record_id="H-001")


# ------------------------------------------------------------------ audit


def test_page_views_write_the_same_audit_entries_as_the_api(api: Api) -> None:
    c = _fresh(api)
    sign_in(c, api.keys["coordinator"], "参加支援")
    c.get(f"{BASE}/persons")
    c.get(f"{BASE}/persons/P-001")
    c.get(f"{BASE}/persons/P-002")  # refused: no consent
    got = _audit(api)
    assert ("list", "persons", ["P-001"], "参加支援", 200) in got
    assert ("read", "persons", ["P-001"], "参加支援", 200) in got
    assert ("match", "match_results", ["P-001"], "参加支援", 200) in got
    assert ("read", "persons", ["P-002"], "参加支援", 403) in got
    entries = api.container.system().audit.query(town=TOWN, record_id="P-001")
    assert {e.key_name for e in entries} == {"佐藤"}
    assert api.container.system().audit.verify() is None


def test_community_has_no_purpose_to_choose(api: Api) -> None:
    c = _fresh(api)
    csrf = sign_in(c, api.keys["community"])
    assert 'id="purpose-select"' not in c.get("/app/").text
    assert c.post("/app/purpose", data={"csrf": csrf, "purpose": "事務", "next": "/app/"}).status_code == 403


class _ProfileForm(HTMLParser):
    """The values a browser would post for the profile form as shown (checked boxes, selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._area: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").endswith("/profile#profile")
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value", ""))
            else:
                self.values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = [a.get("value", "")]
        elif tag == "textarea" and name:
            self._area = name
            self.values[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._area:
            self.values[self._area] = [self.values[self._area][0] + data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._area = None


def _shown_form(html: str) -> dict[str, list[str]]:
    p = _ProfileForm()
    p.feed(html)
    return p.values


def _stored_profile(api: Api) -> dict[str, Any]:
    node = api.container.store(TOWN).get_node(NodeRef(NodeLabel.PERSON, "P-001"))
    assert node is not None
    rec = node_from_props(NodeLabel.PERSON, node.props)
    profile = getattr(rec, "participation_profile", None)
    assert isinstance(profile, dict)
    return profile


def test_schema2_profile_fields_survive_the_staff_form(api: Api) -> None:
    """在宅のみ, 今は時間がない, 連絡手段 and 制約 (強さ・例外) typed in the form are stored, shown again, and an
    unchanged re-save keeps them (the form once dropped every schema-2 field)."""
    c = _fresh(api)
    csrf = sign_in(c, api.keys["coordinator"], "参加支援")
    r = c.post(
        f"{BASE}/persons/P-001/profile",
        data={
            "csrf": csrf,
            "skills": "裁縫",
            "travel_modes": "walk",
            "contact_comfort": "2",
            "readiness": "2",
            "max_physical_load": "3",
            "home_only": "1",
            "contact_preferred": ["email", "line"],
            "contact_refused": "phone",
            "lim_rows": "5",
            "lim_what_0": "外出",
            "lim_strength_0": "hard",
            "lim_unless_0": "近所の公民館なら",
            "lim_what_1": "人前で話す",
            "lim_strength_1": "soft",
            "free_text": "長時間は無理だけど、1時間くらいなら平気",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    stored = _stored_profile(api)
    assert stored["home_only"] is True and stored["no_time_now"] is False
    assert stored["contact_channels"] == {"preferred": ["email", "line"], "refused": ["phone"]}
    assert stored["limits"] == [
        {"what": "外出", "strength": "hard", "unless": "近所の公民館なら"},
        {"what": "人前で話す", "strength": "soft"},
    ]
    page = c.get(f"{BASE}/persons/P-001")
    assert page.status_code == 200
    shown = _shown_form(page.text)
    assert shown["home_only"] == ["1"] and "no_time_now" not in shown
    assert shown["contact_refused"] == ["phone"] and shown["lim_strength_0"] == ["hard"]
    assert shown["lim_unless_0"] == ["近所の公民館なら"]
    again = c.post(f"{BASE}/persons/P-001/profile", data=shown, follow_redirects=False)
    assert again.status_code == 303, again.text
    assert _stored_profile(api) == stored
