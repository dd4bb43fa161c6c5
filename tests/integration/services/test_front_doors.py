"""Each use case is written once: the API and the staff pages go through the same service function for upsert,
delete, the gap view and consent.

Two proofs per use case, both on the real app (store, system database, both front doors):
- the path: the service method is wrapped (the real one still runs) and must be entered exactly once per request,
  from either door, and nothing else writes an audit entry on the way (the entries counted equal those the
  service wrote);
- the behaviour: the audit entry each door leaves is the same entry (action, kind, key, town, purpose, status),
  which only the service writes (no front door calls the audit log: ``ctx.audit`` is gone from both).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphsvc.access.audit import AuditLog
from graphsvc.services.consent import ConsentService
from graphsvc.services.gaps import GapService
from graphsvc.services.records import RecordService
from tests.integration.api.conftest import TOWN, Api, make_api
from tests.integration.web.conftest import sign_in

V1 = f"/v1/towns/{TOWN}"
APP = f"/app/towns/{TOWN}"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(tmp_path, api_rate_per_second=10_000.0, api_rate_burst=10_000)


class Trace:
    """Calls into wrapped service methods and audit entries appended, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.audits: list[tuple[str, str | None, str, str | None, str | None, int]] = []

    def reset(self) -> None:
        self.calls.clear()
        self.audits.clear()


@pytest.fixture
def trace(monkeypatch: pytest.MonkeyPatch) -> Trace:
    t = Trace()

    def wrap(cls: type, name: str) -> None:
        original: Callable[..., Any] = getattr(cls, name)

        @functools.wraps(original)
        def entered(self: Any, *args: Any, **kwargs: Any) -> Any:
            t.calls.append(f"{cls.__name__}.{name}")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, entered)

    for cls, name in (
        (RecordService, "upsert"),
        (RecordService, "delete"),
        (GapService, "view"),
        (ConsentService, "grant"),
    ):
        wrap(cls, name)
    append = AuditLog.append

    def audited(self: AuditLog, who: Any, **kw: Any) -> None:
        t.audits.append(
            (kw["action"], kw["kind"], who.key_id, kw["town"], kw["purpose"], kw.get("status", 200))
        )
        append(self, who, **kw)

    monkeypatch.setattr(AuditLog, "append", audited)
    return t


def _browser(api: Api, role: str, purpose: str | None = None) -> tuple[TestClient, str]:
    c = TestClient(api.client.app, raise_server_exceptions=False)
    return c, sign_in(c, api.keys[role], purpose)


def _both(
    trace: Trace,
    via_api: Callable[[], Any],
    via_page: Callable[[], Any],
    method: str,
    *,
    api_ok: int,
    page_ok: int,
) -> tuple[list[Any], list[Any]]:
    """Run the use case through each door; each enters ``method`` once; returns each door's audit entries."""
    out = []
    for call, ok in ((via_api, api_ok), (via_page, page_ok)):
        trace.reset()
        r = call()
        assert r.status_code == ok, r.text[:500]
        assert trace.calls == [method], trace.calls
        out.append(list(trace.audits))
    return out[0], out[1]


OPP_FORM = {
    "title": "漁具の片付け",
    "kind": "petit_work",
    "host": "Employer:E-01",
    "hours_per_session": "2",
    "difficulty": "2",
    "contact_load": "1",
    "physical_load": "3",
    "cap_maximum": "2",
}


def test_upsert_is_one_use_case(api: Api, trace: Trace) -> None:
    page, csrf = _browser(api, "admin")
    body = {
        "title": "漁具の片付け",
        "kind": "petit_work",
        "host_id": "E-01",
        "host_label": "Employer",
        "hours_per_session": 2,
        "difficulty": 2,
        "physical_load": 3,
        "capacity": {"maximum": 2},
    }
    a, w = _both(
        trace,
        lambda: api.client.put(f"{V1}/opportunities/O-api", json=body, headers=api.h("admin")),
        lambda: page.post(
            f"{APP}/resources/new?type=opportunity",
            data={"csrf": csrf, "id": "O-page", **OPP_FORM},
            follow_redirects=False,
        ),
        "RecordService.upsert",
        api_ok=201,
        page_ok=303,
    )
    assert a == w == [("upsert", "opportunities", _key_id(api, "admin"), TOWN, None, 200)]
    records = {e.record_ids[0] for e in api.container.system().audit.query(action="upsert")}
    assert records == {"O-api", "O-page"}
    # the same record either way
    got = [
        api.client.get(f"{V1}/opportunities/{i}", headers=api.h("admin")).json() for i in ("O-api", "O-page")
    ]
    assert {k: v for k, v in got[0].items() if k != "id"} == {k: v for k, v in got[1].items() if k != "id"}


def test_delete_is_one_use_case(api: Api, trace: Trace) -> None:
    for vid in ("V-a", "V-b"):
        api.client.put(f"{V1}/venues/{vid}", json={"name": vid, "kind": "temple"}, headers=api.h("admin"))
    page, csrf = _browser(api, "admin")
    a, w = _both(
        trace,
        lambda: api.client.delete(f"{V1}/venues/V-a", headers=api.h("admin")),
        lambda: page.post(f"{APP}/resources/venue/V-b/delete", data={"csrf": csrf}, follow_redirects=False),
        "RecordService.delete",
        api_ok=200,
        page_ok=303,
    )
    assert a == w == [("delete", "venues", _key_id(api, "admin"), TOWN, None, 200)]
    # and refused alike while relationships remain (409 from the same check)
    trace.reset()
    assert api.client.delete(f"{V1}/opportunities/O-01", headers=api.h("admin")).status_code == 409
    assert page.post(f"{APP}/resources/opportunity/O-01/delete", data={"csrf": csrf}).status_code == 409
    assert trace.calls == ["RecordService.delete"] * 2 and trace.audits == []


@pytest.mark.parametrize(
    ("role", "purpose", "view", "audited"),
    [
        ("multiagency", "support_meeting", "full", [("gaps", "gap_report")]),
        ("admin", "administration", "full", [("gaps", "gap_report")]),
        ("community", None, "aggregate", []),
        ("coordinator", "participation", "aggregate", []),
    ],
)
def test_gap_view_is_one_use_case(
    api: Api, trace: Trace, role: str, purpose: str | None, view: str, audited: list[tuple[str, str]]
) -> None:
    page, _ = _browser(api, role, purpose)  # the session's purpose, as the API's X-Purpose
    res: dict[str, Any] = {}

    def via_api() -> Any:
        r = api.client.get(f"{V1}/gaps", headers=api.h(role, purpose))
        res.update(r.json())
        return r

    a, w = _both(trace, via_api, lambda: page.get(f"{APP}/gaps"), "GapService.view", api_ok=200, page_ok=200)
    assert res["view"] == view
    assert [(x[0], x[1]) for x in a] == [(x[0], x[1]) for x in w] == audited
    assert a == w


def test_consent_is_one_use_case(api: Api, trace: Trace) -> None:
    page, csrf = _browser(api, "coordinator", "参加支援")
    a, w = _both(
        trace,
        lambda: api.client.post(
            f"{V1}/persons/P-002/consents",
            json={"purposes": ["参加支援"], "recipients": ["V-01"]},
            headers=api.h("coordinator", "participation"),
        ),
        lambda: page.post(
            f"{APP}/persons/P-002/consents",
            data={"csrf": csrf, "purposes": "参加支援", "recipients": "V-01"},
            follow_redirects=False,
        ),
        "ConsentService.grant",
        api_ok=201,
        page_ok=303,
    )
    assert a == w == [("consent_grant", "consents", _key_id(api, "coordinator"), TOWN, "参加支援", 200)]
    grants = api.container.system().consents.grants(TOWN, "P-002")
    assert [(g.purposes, g.recipients, g.recorded_by) for g in grants] == [
        (["参加支援"], ["V-01"], "佐藤 (" + _key_id(api, "coordinator") + ")")
    ] * 2
    # refused alike for a person outside the coordinator's scope (404 from the same check, nothing written)
    trace.reset()
    assert (
        api.client.post(
            f"{V1}/persons/P-003/consents", json={"purposes": ["参加支援"]}, headers=api.h("coordinator")
        ).status_code
        == 404
    )
    assert (
        page.post(f"{APP}/persons/P-003/consents", data={"csrf": csrf, "purposes": "参加支援"}).status_code
        == 404
    )
    assert trace.calls == ["ConsentService.grant"] * 2 and trace.audits == []


def _key_id(api: Api, role: str) -> str:
    return api.keys[role].split("_")[1]
