"""The use cases without a front door: a real embedded store and system database, callers as plain
``AccessContext``s opened with ``open_town``; each use case checks the policy itself and writes its own audit
entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.access import KINDS, Principal, Role
from graphsvc.access.audit import AuditEntry
from graphsvc.bootstrap import Container, build
from graphsvc.domain.consent import Purpose
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import (
    AccessDenied,
    ConflictError,
    ConsentRequired,
    DomainValidationError,
    NodeHasRelationshipsError,
    NotFound,
)
from graphsvc.services.admin import AuditService, KeyAdmin
from graphsvc.services.matching import MatchingService
from graphsvc.services.ties import tie_row
from graphsvc.services.town import Town, open_town
from graphsvc.store.port import NodeRef, RelRow, WriteBatch
from tests.integration.api.conftest import NAMES, TOWN, town_batch

P = Purpose
ADMIN = Principal("k-admin", "管理者", Role.ADMIN)
COORD = Principal("k-coord", "佐藤", Role.COORDINATOR, towns=(TOWN,), persons=("P-001", "P-002"))
MULTI = Principal("k-multi", "会議", Role.MULTIAGENCY, towns=(TOWN,))
COMMUNITY = Principal("k-comm", "地域", Role.COMMUNITY, towns=(TOWN,))
SYS_A = Principal("k-sysa", "A", Role.CASE_SYSTEM, towns=(TOWN,), system_id="sysA")
SYS_B = Principal("k-sysb", "B", Role.CASE_SYSTEM, towns=(TOWN,), system_id="sysB")


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    c = build(data_dir=tmp_path)
    c.store(TOWN).write(town_batch())
    c.system().consents.grant(TOWN, "P-001", purposes=["参加支援", "支援会議"], recorded_by="t")
    c.system().consents.grant(TOWN, "P-003", purposes=["参加支援"], recipients=["E-01"], recorded_by="t")
    yield c
    c.close()


def town(c: Container, who: Principal, purpose: Purpose | None = None) -> Town:
    return open_town(c, who, purpose, TOWN)


def last(c: Container) -> AuditEntry:
    return c.system().audit.query(limit=None)[-1]


def test_opening_a_town_checks_the_line_and_never_creates_one(container: Container, tmp_path: Path) -> None:
    with pytest.raises(AccessDenied):
        open_town(container, Principal("k", "n", Role.ADMIN, towns=("shima",)), None, TOWN)
    with pytest.raises(NotFound):
        open_town(container, ADMIN, None, "nosuchtown")
    assert not (tmp_path / "nosuchtown.sqlite3").exists()


def test_records_upsert_and_delete_with_ownership_and_audit(container: Container) -> None:
    a, b = town(container, SYS_A, P.ADMINISTRATION), town(container, SYS_B, P.ADMINISTRATION)
    persons = KINDS["persons"]
    assert a.records.upsert(a.ctx, persons, "S-1", {"name": "A の本人"}).created
    e = last(container)
    assert (e.action, e.kind, e.record_ids, e.key_id, e.purpose) == (
        "upsert",
        "persons",
        ["S-1"],
        "k-sysa",
        "事務",
    )
    assert not a.records.upsert(a.ctx, persons, "S-1", {"name": "A の本人 (更新)"}).created
    with pytest.raises(ConflictError):
        b.records.upsert(b.ctx, persons, "S-1", {"name": "上書き"})
    with pytest.raises(ConflictError):
        b.records.delete(b.ctx, persons, "S-1")
    assert [i["id"] for i in a.records.list(a.ctx, persons).page(0, 10)] == ["S-1"]
    assert b.records.list(b.ctx, persons).total == 0
    out = a.records.delete(a.ctx, persons, "S-1")
    assert (out.nodes, last(container).action) == (1, "delete")
    assert container.system().ownership.owned(TOWN, "persons", "sysA") == []
    with pytest.raises(AccessDenied):
        town(container, COORD, P.PARTICIPATION).records.upsert(
            town(container, COORD, P.PARTICIPATION).ctx, persons, "S-2", {"name": "x"}
        )


def test_delete_without_detach_is_refused_while_ties_remain(container: Container) -> None:
    t = town(container, ADMIN, P.ADMINISTRATION)
    before = len(container.system().audit.query(limit=None))
    with pytest.raises(NodeHasRelationshipsError) as err:
        t.records.delete(t.ctx, KINDS["opportunities"], "O-01")
    assert err.value.http_status == 409
    assert container.store(TOWN).get_node(NodeRef(NodeLabel.OPPORTUNITY, "O-01")) is not None
    assert len(container.system().audit.query(limit=None)) == before  # nothing done, nothing audited
    refs = t.records.references(t.ctx, KINDS["opportunities"], "O-01")
    assert refs == [{"type": "HOSTED_BY", "ja": RelType.HOSTED_BY.ja, "count": 1, "ids": ["E-01"]}]
    out = t.records.delete(t.ctx, KINDS["opportunities"], "O-01", detach=True)
    assert out.relationships == 1 and out.removed_relationships[0]["dst"] == "Employer:E-01"


def test_bulk_upsert_validates_every_row_first(container: Container) -> None:
    t = town(container, ADMIN, P.ADMINISTRATION)
    with pytest.raises(DomainValidationError) as err:
        t.records.bulk_upsert(t.ctx, KINDS["persons"], [{"id": "N-1"}, {"id": "N-2", "birth_year": 1700}, 3])
    assert {p.row for p in err.value.problems} == {2, 3}
    assert t.records.list(t.ctx, KINDS["persons"]).total == 3
    res = t.records.bulk_upsert(
        t.ctx, KINDS["persons"], [{"id": "N-1"}, {"id": "P-001", "name": "鳥羽 一郎"}]
    )
    assert (res.created, res.updated, last(container).action) == (1, 1, "bulk_upsert")


def test_listing_audits_the_page_shown_and_filters_only_visible_fields(container: Container) -> None:
    ma = town(container, MULTI, P.SUPPORT_MEETING)
    listing = ma.records.list(ma.ctx, KINDS["persons"], ["household_id=H-001"])
    assert listing.total == 2
    page = listing.page(1, 1)
    assert [i["id"] for i in page] == ["P-002"] and page[0]["name"] is None  # no 支援会議 consent
    assert last(container).record_ids == ["P-002"]
    with pytest.raises(DomainValidationError) as err:
        ma.records.list(ma.ctx, KINDS["persons"], ["name=鳥羽 二郎"])
    assert err.value.problems[0].field == "filter.name"
    admin = town(container, ADMIN, P.ADMINISTRATION)
    assert [
        i["id"] for i in admin.records.list(admin.ctx, KINDS["persons"], ["name=鳥羽 二郎"]).page(0, 5)
    ] == ["P-002"]


def test_a_read_refused_for_want_of_consent_is_audited(container: Container) -> None:
    t = town(container, COORD, P.PARTICIPATION)
    with pytest.raises(ConsentRequired):
        t.records.get(t.ctx, KINDS["persons"], "P-002")
    e = last(container)
    assert (e.action, e.record_ids, e.status) == ("read", ["P-002"], 403)


def test_gap_view_per_role(container: Container) -> None:
    for who, purpose, view in (
        (COMMUNITY, None, "aggregate"),
        (COORD, P.PARTICIPATION, "aggregate"),
        (MULTI, P.SUPPORT_MEETING, "full"),
        (ADMIN, P.ADMINISTRATION, "full"),
    ):
        before = len(container.system().audit.query(limit=None))
        t = town(container, who, purpose)
        v = t.gaps.view(t.ctx)
        assert v.view == view
        audited = len(container.system().audit.query(limit=None)) - before
        assert audited == (1 if view == "full" else 0)
        if view == "aggregate":
            text = str(v.report)
            assert not any(x in text for x in (*NAMES.values(), "H-001", "H-002", "P-001"))
    with pytest.raises(AccessDenied):
        town(container, SYS_A, P.ADMINISTRATION).gaps.view(town(container, SYS_A, P.ADMINISTRATION).ctx)


def test_the_gap_analysis_is_kept_until_the_town_changes(container: Container) -> None:
    """Every page of the report, the agency pairs and each household's chains read one analysis while the store's
    revision stands; a write to the town is seen by the next view, and every full view is still audited."""
    t = town(container, ADMIN, P.ADMINISTRATION)
    first = t.gaps.view(t.ctx)
    before = len(container.system().audit.query(limit=None))
    again = t.gaps.view(t.ctx)
    assert again.analysis is first.analysis and again.graph is first.graph  # not analysed again
    assert len(container.system().audit.query(limit=None)) == before + 1  # but audited again
    reach = t.gaps.household_reach(t.ctx, "H-001")
    assert reach is not None and reach["household_id"] == "H-001"
    assert first.analysis is not None and first.analysis.reachability.household("H-001") is not None
    unreached = first.analysis.reachability.household("H-002")
    # a new tie from H-002 to the agency: the next view and the household's chains see it
    container.store(TOWN).write(
        WriteBatch(rels=[RelRow(RelType.SUPPORTED_BY, NodeRef(NodeLabel.HOUSEHOLD, "H-002"), NodeRef(NodeLabel.AGENCY, "AG-01"), {})])
    )  # fmt: skip
    after = t.gaps.view(t.ctx)
    assert after.analysis is not first.analysis
    assert after.graph is not None and after.graph.has_edge("Household:H-002", "Agency:AG-01")
    reach2 = t.gaps.household_reach(t.ctx, "H-002")
    assert reach2 is not None and reach2["agency_hops"] == 1
    assert unreached is None or unreached[1] != 1


def test_household_explained_and_audited(container: Container) -> None:
    t = town(container, MULTI, P.SUPPORT_MEETING)
    v = t.households.explain(t.ctx, "H-001")
    assert v.members == ["P-001", "P-002"] and v.household["address"] is None
    assert v.agencies[0][:2] == ("AG-01", "鳥羽市地域包括支援センター") and v.cases[0]["id"] == "C-001"
    assert (last(container).action, last(container).kind) == ("read", "households")
    with pytest.raises(AccessDenied):
        c = town(container, COORD, P.PARTICIPATION)
        c.households.explain(c.ctx, "H-001")


def test_consent_grant_and_withdraw(container: Container) -> None:
    t = town(container, COORD, P.PARTICIPATION)
    with pytest.raises(NotFound):  # not assigned
        t.consent.grant(t.ctx, "P-003", purposes=["参加支援"])
    with pytest.raises(DomainValidationError):
        t.consent.grant(t.ctx, "P-002", purposes=[])
    g = t.consent.grant(t.ctx, "P-002", purposes=["参加支援"], recipients=["V-01"])
    assert (last(container).action, g.recorded_by) == ("consent_grant", "佐藤 (k-coord)")
    assert [x.grant_id for x in t.consent.list(t.ctx, "P-002")] == [g.grant_id]
    t.consent.withdraw(t.ctx, "P-002", g.grant_id)
    assert last(container).action == "consent_withdraw"
    with pytest.raises(NotFound):
        t.consent.withdraw(t.ctx, "P-002", g.grant_id)  # already withdrawn
    with pytest.raises(AccessDenied):
        m = town(container, MULTI, P.SUPPORT_MEETING)
        m.consent.list(m.ctx, "P-001")


def test_matching_reads_the_consent_register(container: Container) -> None:
    # P-003's profile consents to every host, but the register's grant covers E-01 only: the register decides
    engine_alone = MatchingService(container.store(TOWN))
    assert {r.opening_id for r in engine_alone.match("P-003").ranked} == {"O-01", "O-02"}
    t = town(container, ADMIN, P.PARTICIPATION)
    res = t.matching.match(t.ctx, "P-003")
    assert [r.opening_id for r in res.ranked] == ["O-01"]
    excluded = {e.opening_id: [r.code for r in e.reasons] for e in res.exclusions}
    assert excluded == {"O-02": ["consent"]}
    assert (last(container).action, last(container).record_ids) == ("match", ["P-003"])
    # a person with no grant at all keeps the profile's own scope (admin only: others need consent to see)
    assert {r.opening_id for r in t.matching.match(t.ctx, "P-002").ranked} == {"O-01", "O-02"}


def test_placements_need_consent_covering_the_host(container: Container) -> None:
    admin = town(container, ADMIN, P.PARTICIPATION)
    with pytest.raises(ConsentRequired):
        admin.placements.propose(admin.ctx, "P-003", "O-02")
    p = admin.placements.propose(admin.ctx, "P-003", "O-01", note="面談済み")
    assert p.props.status.value == "proposed" and last(container).action == "propose"
    moved = admin.placements.transition(admin.ctx, "P-003", "O-01", None, host_notes="見学から")
    assert moved.props.host_notes == "見学から" and moved.props.status.value == "proposed"
    coord = town(container, COORD, P.PARTICIPATION)
    assert coord.placements.list(coord.ctx).total == 0  # P-003 is not the coordinator's
    opts = coord.placements.options(coord.ctx, "P-001", ["O-01", "O-02"])
    assert all(o.consented and o.may_propose for o in opts.values())


def test_ties_are_personal_and_owned(container: Container) -> None:
    a = town(container, SYS_A, P.ADMINISTRATION)
    a.records.upsert(a.ctx, KINDS["persons"], "S-1", {"name": "A"})
    rel = tie_row(
        RelType.MEMBER_OF, NodeRef(NodeLabel.PERSON, "S-1"), NodeRef(NodeLabel.HOUSEHOLD, "H-001"), {}
    )
    assert a.ties.upsert(a.ctx, rel).created
    assert a.ties.list(a.ctx).total == 1
    b = town(container, SYS_B, P.ADMINISTRATION)
    with pytest.raises(ConflictError):
        b.ties.delete(b.ctx, RelType.MEMBER_OF, rel.src, rel.dst)
    with pytest.raises(AccessDenied):
        c = town(container, COMMUNITY)
        c.ties.list(c.ctx)
    a.ties.delete(a.ctx, RelType.MEMBER_OF, rel.src, rel.dst)
    assert last(container).action == "delete"


def test_key_admin_and_audit_reads(container: Container) -> None:
    system = container.system()
    toba_admin = Principal("k-ta", "鳥羽の管理者", Role.ADMIN, towns=(TOWN,))
    keys = KeyAdmin(system)
    _, mine = keys.create(toba_admin, name="担当", role="coordinator", towns=[TOWN])
    _, theirs = keys.create(ADMIN, name="志摩", role="coordinator", towns=["shima"])
    assert [k.key_id for k in keys.list(toba_admin)] == [mine.key_id]
    with pytest.raises(NotFound):
        keys.revoke(toba_admin, theirs.key_id)
    assert system.keys.get(theirs.key_id).revoked_at is None  # type: ignore[union-attr]
    with pytest.raises(AccessDenied):
        keys.create(toba_admin, name="x", role="admin", towns=["*"])
    with pytest.raises(DomainValidationError):
        keys.create(ADMIN, name="x", role="admin", towns=["Bad Town"])
    keys.revoke(toba_admin, mine.key_id)
    q = AuditService(system).query(toba_admin, town=TOWN)
    acts = [(e.action, e.record_ids) for e in q.entries if e.kind == "api_keys"]
    assert acts == [("key_create", [mine.key_id]), ("key_revoke", [mine.key_id])]
    assert last(container).action == "audit_read" and last(container).town == TOWN
