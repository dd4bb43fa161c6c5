"""The access policy from plain contexts: every rule raises the domain error a front door maps (403, 404, 409,
422), over a real system database (SQLite in tmp_path): no HTTP, no store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from graphsvc.access import KINDS, AccessContext, Policy, Principal, Role, SystemDB
from graphsvc.access.policy import aggregate_report, allowed_purposes, check_town, redact_names
from graphsvc.domain.consent import Purpose
from graphsvc.domain.errors import (
    AccessDenied,
    ConflictError,
    ConsentRequired,
    DomainValidationError,
    NotFound,
)

TOWN = "toba"
P = Purpose


@pytest.fixture
def system(tmp_path: Path) -> Iterator[SystemDB]:
    s = SystemDB.open(tmp_path / "system.sqlite3")
    # P-1 consents to 参加支援 and 支援会議 with anyone; P-2 to 参加支援 with E-01 only; P-3 nothing
    s.consents.grant(TOWN, "P-1", purposes=["参加支援", "支援会議"], recorded_by="t")
    s.consents.grant(TOWN, "P-2", purposes=["参加支援"], recipients=["E-01"], recorded_by="t")
    yield s
    s.close()


@pytest.fixture
def policy(system: SystemDB) -> Policy:
    return Policy(system.consents, system.ownership)


def ctx(role: Role, purpose: Purpose | None = None, **kw: object) -> AccessContext:
    return AccessContext(TOWN, Principal("k1", "名前", role, **kw), purpose)  # type: ignore[arg-type]


COORD = dict(persons=("P-1", "P-2", "P-3"))


def test_town_line() -> None:
    check_town(Principal("k", "n", Role.ADMIN, towns=(TOWN,)), TOWN)
    with pytest.raises(AccessDenied) as err:
        check_town(Principal("k", "n", Role.ADMIN, towns=("shima",)), TOWN)
    assert err.value.problems[0].field == "town" and err.value.http_status == 403


@pytest.mark.parametrize(
    ("role", "purpose", "kind", "outcome"),
    [
        (Role.COMMUNITY, P.PARTICIPATION, "persons", AccessDenied),
        (Role.COMMUNITY, None, "households", AccessDenied),
        (Role.COORDINATOR, P.SUPPORT_MEETING, "persons", AccessDenied),  # not a coordinator's purpose
        (Role.COORDINATOR, P.PARTICIPATION, "households", AccessDenied),
        (Role.ADMIN, None, "persons", DomainValidationError),  # purpose required
        (Role.MULTIAGENCY, P.OUTREACH, "cases", None),
        (Role.COORDINATOR, P.PARTICIPATION, "persons", None),
        (Role.COMMUNITY, None, "agencies", None),  # not personal: no purpose needed
    ],
)
def test_check_read(
    policy: Policy, role: Role, purpose: Purpose | None, kind: str, outcome: type | None
) -> None:
    c = ctx(role, purpose)
    personal = KINDS[kind].personal
    if outcome is None:
        assert policy.check_read(c, kind, personal) == purpose
    else:
        with pytest.raises(outcome) as err:
            policy.check_read(c, kind, personal)
        field = err.value.problems[0].field
        assert field in ("authorization", "X-Purpose")


def test_purposes_per_role() -> None:
    assert allowed_purposes(Role.COMMUNITY) == []
    assert allowed_purposes(Role.MULTIAGENCY) == [P.SUPPORT_MEETING, P.OUTREACH]
    assert allowed_purposes(Role.ADMIN) == list(Purpose)


def test_coordinator_sees_assigned_and_consented(policy: Policy) -> None:
    c = ctx(Role.COORDINATOR, P.PARTICIPATION, **COORD)
    assert policy.coordinator_persons(c, P.PARTICIPATION) == {"P-1", "P-2"}
    assert policy.coordinator_persons(c, P.OUTREACH) == set()
    assert policy.restricted_ids(c, KINDS["persons"]) == ["P-1", "P-2"]
    assert policy.coordinator_persons(ctx(Role.ADMIN, P.PARTICIPATION), P.PARTICIPATION) is None
    policy.check_visible(c, KINDS["persons"], "P-1")
    with pytest.raises(ConsentRequired):  # assigned, no consent: 403 (not 404: the coordinator knows them)
        policy.check_visible(c, KINDS["persons"], "P-3")
    with pytest.raises(NotFound):
        policy.check_visible(c, KINDS["persons"], "P-9")


def test_person_access_for_participation(policy: Policy) -> None:
    coord = ctx(Role.COORDINATOR, P.PARTICIPATION, persons=("P-1", "P-2"))
    policy.require_person_access(coord, "P-1", P.PARTICIPATION, recipient="V-01")
    policy.require_person_access(coord, "P-2", P.PARTICIPATION, recipient="E-01")
    with pytest.raises(ConsentRequired) as err:
        policy.require_person_access(coord, "P-2", P.PARTICIPATION, recipient="V-01")
    assert "V-01" in err.value.problems[0].message_ja and err.value.http_status == 403
    with pytest.raises(NotFound):  # not assigned
        policy.require_person_access(coord, "P-3", P.PARTICIPATION)
    with pytest.raises(AccessDenied):
        policy.require_person_access(ctx(Role.MULTIAGENCY, P.SUPPORT_MEETING), "P-1", P.PARTICIPATION)
    admin = ctx(Role.ADMIN, P.PARTICIPATION)
    policy.require_person_access(admin, "P-3", P.PARTICIPATION)  # admin: no consent needed to read…
    with pytest.raises(ConsentRequired):  # … but a proposal to a host needs it
        policy.require_person_access(admin, "P-3", P.PARTICIPATION, recipient="E-01")


def test_case_system_writes_only_its_own(policy: Policy, system: SystemDB) -> None:
    a = ctx(Role.CASE_SYSTEM, P.ADMINISTRATION, system_id="sysA")
    b = ctx(Role.CASE_SYSTEM, P.ADMINISTRATION, system_id="sysB")
    policy.check_write(a)
    policy.check_write_owned(a, "persons", ["S-1"], set())  # new: fine
    policy.claim(a, "persons", ["S-1"])
    policy.check_write_owned(a, "persons", ["S-1"], {"S-1"})
    with pytest.raises(ConflictError) as err:
        policy.check_write_owned(b, "persons", ["S-1"], {"S-1"})
    assert err.value.problems[0].value == "S-1" and err.value.http_status == 409
    with pytest.raises(ConflictError):  # loaded by an admin: nobody's, so no case system's
        policy.check_write_owned(a, "persons", ["P-1"], {"P-1"})
    assert system.ownership.owned(TOWN, "persons", "sysA") == ["S-1"]
    with pytest.raises(AccessDenied):
        policy.check_write(ctx(Role.COORDINATOR, P.PARTICIPATION))
    assert policy.restricted_ids(b, KINDS["persons"]) == []


def test_multiagency_never_filters_on_a_withheld_field(policy: Policy) -> None:
    ma = ctx(Role.MULTIAGENCY, P.SUPPORT_MEETING)
    for kind, field in (
        ("persons", "name"),
        ("persons", "notes"),
        ("households", "address"),
        ("supporters", "name"),
    ):
        with pytest.raises(DomainValidationError) as err:
            policy.check_filter(ma, KINDS[kind], [field])
        assert err.value.problems[0].field == f"filter.{field}" and field in err.value.problems[0].message_ja
    policy.check_filter(ma, KINDS["persons"], ["household_id", "birth_year"])
    policy.check_filter(ctx(Role.ADMIN, P.ADMINISTRATION), KINDS["persons"], ["name"])


def test_redaction_follows_consent(policy: Policy) -> None:
    ma = ctx(Role.MULTIAGENCY, P.SUPPORT_MEETING)
    item = {"id": "P-2", "name": "鳥羽 二郎", "notes": "x", "participation_profile": {}, "birth_year": 1980}
    out = policy.redact(ma, "persons", item)
    assert out["name"] is None and out["notes"] is None and out["birth_year"] == 1980
    assert policy.redact(ma, "persons", {**item, "id": "P-1"})["name"] == "鳥羽 二郎"  # 支援会議 consent
    assert policy.redact(ctx(Role.ADMIN, P.ADMINISTRATION), "persons", item) == item


@pytest.mark.parametrize(
    ("role", "purpose", "full_only", "expected"),
    [
        (Role.COMMUNITY, None, False, "aggregate"),
        (Role.COORDINATOR, P.PARTICIPATION, False, "aggregate"),
        (Role.ADMIN, P.ADMINISTRATION, False, "full"),
        (Role.MULTIAGENCY, P.SUPPORT_MEETING, False, "full_redacted"),
        (Role.MULTIAGENCY, P.OUTREACH, True, "full_redacted"),
        (Role.ADMIN, None, False, DomainValidationError),
        (Role.CASE_SYSTEM, P.ADMINISTRATION, False, AccessDenied),
        (Role.COORDINATOR, P.PARTICIPATION, True, AccessDenied),
        (Role.COMMUNITY, None, True, AccessDenied),
    ],
)
def test_gap_view_written_once(
    policy: Policy, role: Role, purpose: Purpose | None, full_only: bool, expected: object
) -> None:
    c = ctx(role, purpose)
    if isinstance(expected, str):
        assert policy.gap_view(c, full_only=full_only) == expected
    else:
        with pytest.raises(expected):  # type: ignore[call-overload]
            policy.gap_view(c, full_only=full_only)


def test_aggregates_and_name_redaction() -> None:
    rep = {
        "isolation": {"households": [{"household_id": "H-1", "name": "x"}], "count": 1, "summary_ja": "s"},
        "coverage": {"areas": [{"area_id": "A", "at_risk": 2, "households": ["H-1"]}]},
        "summary_ja": "全体",
    }
    agg = aggregate_report(rep)
    assert agg == {
        "isolation": {"households_count": 1, "count": 1, "summary_ja": "s"},
        "coverage": {"areas": [{"area_id": "A", "at_risk": 2}]},
    }
    assert redact_names({"a": [{"label": "Person", "name": "n", "id": "P"}]}) == {
        "a": [{"label": "Person", "name": None, "id": "P"}]
    }


# ---------------------------------------------------------------- the town line for keys and the audit log


@pytest.mark.parametrize(
    ("admin_towns", "key_towns", "ok"),
    [
        (("*",), ["*"], True),
        (("*",), ["toba", "shima"], True),
        (("toba",), ["toba"], True),
        (("toba", "shima"), ["toba", "shima"], True),
        (("toba",), ["toba", "shima"], False),  # partly outside
        (("toba",), ["shima"], False),
        (("toba",), ["*"], False),  # only an all-towns admin manages all-towns keys
    ],
)
def test_key_admin_town_line(admin_towns: tuple[str, ...], key_towns: list[str], ok: bool) -> None:
    admin = Principal("a", "管理者", Role.ADMIN, towns=admin_towns)
    assert Policy.manages_key(admin, key_towns) is ok
    if ok:
        Policy.check_key_admin(admin, key_towns)
    else:
        with pytest.raises(AccessDenied) as err:
            Policy.check_key_admin(admin, key_towns)
        assert err.value.problems[0].field == "towns"
    coordinator = Principal("c", "佐藤", Role.COORDINATOR, towns=admin_towns)
    assert not Policy.manages_key(coordinator, key_towns)
    with pytest.raises(AccessDenied):
        Policy.check_key_admin(coordinator, key_towns)


def test_audit_reads_stay_in_town() -> None:
    one = Principal("a", "n", Role.ADMIN, towns=("toba",))
    assert Policy.audit_town(one, "toba") == "toba"
    with pytest.raises(AccessDenied):
        Policy.audit_town(one, "shima")
    with pytest.raises(DomainValidationError):  # a one-town admin names its town
        Policy.audit_town(one, None)
    assert Policy.audit_town(Principal("b", "n", Role.ADMIN), None) is None


def test_consent_dates(system: SystemDB) -> None:
    today = date.today()
    g = system.consents.grant(
        TOWN, "P-5", purposes=["参加支援"], valid_from=today + timedelta(days=3), recorded_by="t"
    )
    assert not system.consents.covers(TOWN, "P-5", P.PARTICIPATION)
    assert system.consents.covers(TOWN, "P-5", P.PARTICIPATION, on=today + timedelta(days=3))
    assert system.consents.withdraw(TOWN, "P-5", g.grant_id)
    assert not system.consents.covers(TOWN, "P-5", P.PARTICIPATION, on=today + timedelta(days=3))
