"""資源開発 on every store: jobs (task lists with nested windows) stored, read, updated and deleted, and a
proposal accepted into draft openings (HOSTED_BY the host, SLICED_FROM the job) that publish and rank like any
other opening. Runs on the embedded store and on the real Neo4j 5 of the test session (``conftest.py``)."""

from __future__ import annotations

import pytest

from graphsvc.domain import (
    ConflictError,
    GeoPoint,
    NodeHasRelationshipsError,
    NodeLabel,
    Opportunity,
    RelType,
    node_from_props,
    to_props,
)
from graphsvc.domain.enums import OpportunityStatus
from graphsvc.domain.records import Employer, Job
from graphsvc.services.development import accept_proposals, location_of, store_jobs
from graphsvc.store.port import GraphStore, NodeRef, WriteBatch
from matching.records import Profile
from matching.slicing import slice_jobs

J, E, OPP = NodeLabel.JOB, NodeLabel.EMPLOYER, NodeLabel.OPPORTUNITY
INN = GeoPoint(lat=34.481512, lon=136.843201)


def ryokan_job(**kw: object) -> Job:
    data: dict[str, object] = {
        "id": "J-RYOKAN-1",
        "title": "旅館の朝の仕事",
        "host_id": "E-1",
        "host_label": "Employer",
        "weekly_hours": 3,
        "contact_person": "女将 (0599-00-0000)",
        "tasks": [
            {
                "name": "リネンたたみ",
                "minutes": 180,
                "splittable": True,
                "min_piece_minutes": 60,
                "windows": [{"weekday": d, "opens": "09:00", "closes": "15:00"} for d in ("tue", "thu")],
                "difficulty": 1,
                "contact_load": 1,
                "physical_load": 2,
                "skills": ["清掃"],
            },
            {
                "name": "布団敷き",
                "minutes": 30,
                "two_person": True,
                "windows": [{"weekday": "tue", "opens": "15:00", "closes": "17:00"}],
            },
        ],
    }
    return Job.model_validate(data | kw)


def read_job(store: GraphStore, job_id: str) -> Job | None:
    row = store.get_node(NodeRef(J, job_id))
    if row is None:
        return None
    rec = node_from_props(J, row.props)
    assert isinstance(rec, Job)
    return rec


def test_jobs_stored_read_updated_deleted_and_accepted_on_every_store(store: GraphStore) -> None:
    store.upsert_nodes(E, [to_props(Employer(id="E-1", name="海辺の旅館", location=INN))])
    job = ryokan_job()
    store_jobs(store, [job])
    # read back whole: nested tasks, windows, loads, the host's contact (the same record on both stores)
    assert read_job(store, job.id) == job
    assert [r.id for r in store.iter_nodes(J)] == [job.id]
    assert {(r.src.id, r.dst.id) for r in store.iter_rels(RelType.POSTED_BY)} == {(job.id, "E-1")}
    here = location_of(store, job)  # no location of its own: the host's
    assert here is not None and (here.lat, here.lon) == (INN.lat, INN.lon)

    # update: the same id written again replaces the task list (nothing of the old one is left)
    changed = ryokan_job(
        weekly_hours=2,
        tasks=[{**job.tasks[0].model_dump(mode="json"), "minutes": 120, "per_week": 2}],
    )
    store_jobs(store, [changed])
    again = read_job(store, job.id)
    assert again == changed and again is not None and [t.name for t in again.tasks] == ["リネンたたみ"]
    assert len(list(store.iter_rels(RelType.POSTED_BY))) == 1

    # slice for three people free on Tuesday 10–11 and accept: draft openings, linked to the host and the job
    people = [
        Profile(
            id=f"P{i}",
            time_windows=[{"weekday": "tue", "opens": "10:00", "closes": "11:00"}],
            max_hours_per_session=1,
            consent={"all_hosts": True},
        )
        for i in range(3)
    ]
    res = slice_jobs([changed], people, locations={changed.id: INN})
    assert res.status == "optimal" and res.proposals
    opps = accept_proposals(store, changed, [p.to_dict() for p in res.proposals])
    stored = [node_from_props(OPP, r.props) for r in store.get_nodes(OPP, [o.id for o in opps])]
    assert stored == opps and all(isinstance(o, Opportunity) for o in stored)
    assert all(o.status is OpportunityStatus.DRAFT and o.job_id == changed.id for o in opps)
    assert all(
        o.location is not None and (o.location.lat, o.location.lon) == (INN.lat, INN.lon) for o in opps
    )
    ids = {o.id for o in opps}
    assert {r.src.id for r in store.iter_rels(RelType.SLICED_FROM) if r.dst.id == changed.id} == ids
    assert {r.src.id for r in store.iter_rels(RelType.HOSTED_BY) if r.dst.id == "E-1"} >= ids

    # a proposal that does not fit the stored job (outside the task's windows) writes nothing
    bad = [p.to_dict() for p in res.proposals]
    bad[0] = bad[0] | {"weekday": "sun"}
    with pytest.raises(ConflictError, match="作業の時間帯の外"):
        accept_proposals(store, changed, bad)
    assert {r.id for r in store.iter_nodes(OPP)} == ids

    # delete: refused while openings are SLICED_FROM it; with detach, the job and its links go, openings stay
    with pytest.raises(NodeHasRelationshipsError):
        store.delete_node(NodeRef(J, changed.id))
    assert read_job(store, changed.id) is not None
    store.delete_node(NodeRef(J, changed.id), detach=True)
    assert read_job(store, changed.id) is None
    assert list(store.iter_rels(RelType.SLICED_FROM)) == [] and list(store.iter_rels(RelType.POSTED_BY)) == []
    assert {r.id for r in store.iter_nodes(OPP)} == ids
    store.write(WriteBatch())  # the store still takes writes
