"""One consent concept (the register's grants are the scope the matching library reads) and the audit log
(hash chain, the caller's context, spreadsheet-safe CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import matching.records
from graphsvc.access import AccessContext, Principal, Role, SystemDB
from graphsvc.access.audit import AuditLog
from graphsvc.domain.consent import ConsentGrant, ConsentScope, Purpose, scope_for
from graphsvc.domain.enums import OpportunityKind
from matching import Profile

TOWN = "toba"
DAY = date(2025, 4, 1)


def _grant(purposes: list[str], recipients: list[str], **kw: object) -> ConsentGrant:
    base: dict[str, object] = {
        "grant_id": "g",
        "town": TOWN,
        "person_id": "P-1",
        "purposes": purposes,
        "recipients": recipients,
        "valid_from": "2025-01-01",
        "valid_until": None,
        "recorded_by": "t",
        "recorded_at": "t",
    }
    return ConsentGrant(**{**base, **kw})  # type: ignore[arg-type]


def test_the_matching_profile_and_the_register_share_one_consent_type() -> None:
    assert matching.records.ConsentScope is ConsentScope
    p = Profile.model_validate({"consent": {"host_ids": ["E-01"], "opportunity_kinds": ["プチ勤務"]}})
    assert isinstance(p.consent, ConsentScope)
    assert p.consent.allows("E-01", "Employer", OpportunityKind.VOLUNTEER)
    assert p.consent.allows("X", "Venue", OpportunityKind.PETIT_WORK)
    assert not p.consent.allows("X", "Venue", OpportunityKind.VOLUNTEER)


def test_a_grant_is_a_scope_for_its_purposes() -> None:
    g = _grant(["参加支援"], ["E-01", "V-01"])
    assert g.scope == ConsentScope(host_ids=["E-01", "V-01"])
    assert g.covers(Purpose.PARTICIPATION, "E-01", DAY) and not g.covers(Purpose.PARTICIPATION, "E-02", DAY)
    assert not g.covers(Purpose.OUTREACH, None, DAY)
    assert _grant(["*"], ["*"]).covers(Purpose.OUTREACH, "anyone", DAY)
    assert not _grant(["参加支援"], ["*"], withdrawn_at="2025-02-01").covers(None, None, DAY)
    assert not _grant(["参加支援"], ["*"], valid_until="2025-03-31").covers(None, None, DAY)


def test_scope_for_joins_the_active_grants_of_a_purpose() -> None:
    grants = [
        _grant(["参加支援"], ["E-01"]),
        _grant(["参加支援"], ["V-01"]),
        _grant(["アウトリーチ"], ["*"]),
        _grant(["参加支援"], ["*"], withdrawn_at="2025-02-01"),
    ]
    s = scope_for(grants, Purpose.PARTICIPATION, DAY)
    assert s == ConsentScope(host_ids=["E-01", "V-01"])
    assert scope_for(grants, Purpose.OUTREACH, DAY).all_hosts
    assert scope_for([], Purpose.PARTICIPATION, DAY) == ConsentScope()  # nothing consented: nobody


def test_register_scope_none_without_any_grant(tmp_path: Path) -> None:
    s = SystemDB.open(tmp_path / "s.sqlite3")
    try:
        assert s.consents.scope(TOWN, "P-1", Purpose.PARTICIPATION) is None  # the profile's own scope stands
        g = s.consents.grant(TOWN, "P-1", purposes=["参加支援"], recipients=["E-01"], recorded_by="t")
        assert s.consents.scope(TOWN, "P-1", Purpose.PARTICIPATION) == ConsentScope(host_ids=["E-01"])
        s.consents.withdraw(TOWN, "P-1", g.grant_id)
        assert s.consents.scope(TOWN, "P-1", Purpose.PARTICIPATION) == ConsentScope()  # withdrawn: nobody
    finally:
        s.close()


def test_audit_records_the_context_and_chains(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "s.sqlite3")
    try:
        who = Principal("k1", "=cmd|' /C calc'!A0", Role.COORDINATOR, towns=(TOWN,))
        log.record(AccessContext(TOWN, who, Purpose.PARTICIPATION), "read", "persons", ["P-2", "P-1", "P-1"])
        log.record(AccessContext(TOWN, who, None), "list", "persons", [], status=403)
        a, b = log.query()
        assert (a.town, a.action, a.kind, a.record_ids, a.purpose, a.role) == (
            TOWN,
            "read",
            "persons",
            ["P-1", "P-2"],
            "参加支援",
            "coordinator",
        )
        assert b.status == 403 and b.purpose is None and b.prev_hash == a.hash
        assert log.verify() is None
        rows = list(csv.reader(io.StringIO("".join(AuditLog.to_csv([a, b])).lstrip("\ufeff"))))
        assert rows[1][rows[0].index("key_name")] == "'=cmd|' /C calc'!A0"  # neutralised for spreadsheets
    finally:
        log.close()
