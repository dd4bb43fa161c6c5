"""資源開発: the unmet need across the waiting list, プチ勤務化 of a host's work, and the プチ勤務カタログ.

The waiting list (参加支援を待っている人) is every person with a participation profile, consent for 参加支援 and
no placement accepted or started (:meth:`MatchingService.candidates`). Consent: in a town whose consent
register holds any grant for 参加支援, a person needs one covering it today; a town that keeps no such grants
(the demo towns, a municipality not using the register) is taken on each profile's own consent scope, when it
names any recipient.

Who sees what (one rule, :meth:`ResourceDevelopment.people_view`): admin and coordinators see person ids (a
coordinator only those assigned to them with consent); multiagency staff and the community developer (地域づくり)
see counts only, with every count under :data:`matching.unmet.SMALL_CELL` withheld, as on the maps. Jobs and
proposals are not personal: admin, coordinators and the community developer write jobs, run the slicer and
accept proposals (as drafts, 下書き), and publish them; the proposals name the people they fit only for the
roles that see ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import GAP_ROLES, require_role
from graphsvc.access.principals import Role
from graphsvc.domain import (
    ConflictError,
    DomainValidationError,
    NodeLabel,
    NotFoundError,
    Opportunity,
    Problem,
    RelType,
    node_from_props,
    problems_from_validation,
)
from graphsvc.domain.codec import to_props
from graphsvc.domain.consent import Purpose
from graphsvc.domain.enums import OpportunityKind, OpportunityStatus, Weekday
from graphsvc.domain.records import Job
from graphsvc.domain.values import Capacity, GeoPoint, Schedule, ScheduleSlot
from graphsvc.services.base import UseCase
from graphsvc.services.matching import MatchingService
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch
from matching.records import Profile
from matching.slicing import SliceResult, slice_jobs
from matching.unmet import UnmetReport, counts_only, unmet_need

__all__ = [
    "DEVELOP_ROLES",
    "ResourceDevelopment",
    "UnmetView",
    "Waiting",
    "accept_proposals",
    "location_of",
    "store_jobs",
    "waiting_list",
]

R = Role
DEVELOP_ROLES = (R.ADMIN, R.COORDINATOR, R.COMMUNITY)
"""Who writes jobs, runs the slicer, accepts and publishes proposals."""
_ID_ROLES = (R.ADMIN, R.COORDINATOR)


@dataclass
class Waiting:
    """The waiting list: profiles (ids kept), each person's area name and home (approximate), and the people
    left out because their stored profile could not be read."""

    profiles: list[Profile]
    areas: dict[str, str]
    homes: dict[str, tuple[float, float]]
    unreadable: list[str]


@dataclass(frozen=True)
class UnmetView:
    view: Literal["full", "counts_only"]
    report: dict[str, Any]


def waiting_list(
    store: GraphStore,
    engine: MatchingService | None = None,
    consent: Callable[[str], bool | None] = lambda _pid: None,
) -> Waiting:
    """The waiting list of a store. ``consent(person_id)``: whether the register's grants cover 参加支援 today,
    None when the register holds none of the person (the profile's own consent scope then decides)."""
    eng = engine if engine is not None else MatchingService(store)
    area_name = {r.id: str(r.props.get("name") or r.id) for r in store.iter_nodes(NodeLabel.AREA)}
    profiles: list[Profile] = []
    areas: dict[str, str] = {}
    homes: dict[str, tuple[float, float]] = {}
    unreadable: list[str] = []
    for pid in eng.candidates():
        on_register = consent(pid)
        if on_register is False:
            continue
        try:
            prof = eng.profile(pid)
        except DomainValidationError:
            unreadable.append(pid)
            continue
        c = prof.consent
        if on_register is None and not (c.all_hosts or c.host_ids or c.host_kinds or c.opportunity_kinds):
            continue
        profiles.append(prof)
        person = store.get_node(NodeRef(NodeLabel.PERSON, pid))
        hh_id = person.props.get("household_id") if person is not None else None
        hh = store.get_node(NodeRef(NodeLabel.HOUSEHOLD, str(hh_id))) if hh_id else None
        if hh is not None and hh.props.get("area_id"):
            areas[pid] = area_name.get(str(hh.props["area_id"]), str(hh.props["area_id"]))
        if prof.home is not None:
            homes[pid] = (prof.home.lat, prof.home.lon)
    return Waiting(profiles, areas, homes, unreadable)


def accept_proposals(store: GraphStore, job: Job, proposals: list[dict[str, Any]]) -> list[Opportunity]:
    """Check proposals (as :meth:`Proposal.to_dict` gives them) against the job, then write them as draft
    openings (HOSTED_BY the host, SLICED_FROM the job), or write nothing and raise with every problem."""
    tasks = {t.name: t for t in job.tasks}
    problems: list[Problem] = []
    opps: list[Opportunity] = []
    total = 0
    per_day: dict[tuple[str, str], int] = {}
    loc = location_of(store, job)
    existing = {r.id for r in store.iter_nodes(NodeLabel.OPPORTUNITY)}
    for n, p in enumerate(proposals, start=1):
        try:
            names = [str(x) for x in p["tasks"]]
            day = Weekday(str(p["weekday"]))
            slot = ScheduleSlot(weekday=day, opens=str(p["opens"]), closes=str(p["closes"]))
            copies = int(p.get("copies", 1))
        except (KeyError, ValueError, TypeError) as err:
            problems.append(Problem(f"{n}件目の案が読めません ({err})", f"proposal {n} unreadable", row=n))
            continue
        a, b = slot.minutes
        if p.get("job_id") not in (None, job.id):
            problems.append(
                Problem(
                    f"{n}件目: 別の仕事「{p.get('job_id')}」の案です (この仕事は「{job.id}」)",
                    f"proposal {n} is of job {p.get('job_id')!r}, not {job.id!r}",
                    row=n,
                    field="job_id",
                )
            )
            continue
        unknown = [x for x in names if x not in tasks]
        if unknown or not names:
            problems.append(
                Problem(
                    f"{n}件目: 仕事にない作業 {unknown}", f"proposal {n}: unknown tasks", row=n, field="tasks"
                )
            )
            continue
        start = a
        for name in names:
            t = tasks[name]
            part = t.minutes if len(names) > 1 else (b - a)
            if not any(
                w.weekday == day and w.minutes[0] <= start and start + part <= w.minutes[1] for w in t.windows
            ):
                problems.append(
                    Problem(
                        f"{n}件目: 作業「{name}」は{day.ja}曜 {slot.opens}–{slot.closes} にはできません (作業の時間帯の外)",
                        f"proposal {n}: task {name!r} outside its windows",
                        row=n,
                        field="opens",
                    )
                )
            per_day[(name, day.value)] = per_day.get((name, day.value), 0) + part * copies
            start += part
        total += (b - a) * copies
        cap = (2 if all(tasks[x].two_person for x in names) else 1) * copies
        title = f"{job.title}: {'・'.join(names)} ({day.ja} {slot.opens}–{slot.closes})"
        oid = _safe_id(f"{job.id}-{day.value}-{slot.opens.replace(':', '')}-{'-'.join(names)}")[:60]
        k = 2
        base_id = oid
        while oid in existing or oid in {o.id for o in opps}:
            oid = f"{base_id}-{k}"
            k += 1
        ts = [tasks[x] for x in names]
        opps.append(
            Opportunity(
                id=oid,
                title=title,
                kind=OpportunityKind.PETIT_WORK,
                host_id=job.host_id,
                host_label=job.host_label,
                description=f"{'、'.join(names)}" + (f"。{job.description}" if job.description else ""),
                sectors=list(job.sectors),
                provides=["収入", "役割・やりがい"],
                schedule=Schedule(slots=(slot,)),
                hours_per_session=(b - a) / 60,
                difficulty=max(t.difficulty for t in ts),
                contact_load=max(t.contact_load for t in ts),
                physical_load=max(t.physical_load for t in ts),
                skills_wanted=list(dict.fromkeys(s for t in ts for s in t.skills)),
                support=list(job.support),
                contact_person=job.contact_person,
                capacity=Capacity(maximum=cap, available=cap),
                area_id=job.area_id,
                location=loc,
                remote=all(t.at_home for t in ts),
                status=OpportunityStatus.DRAFT,
                job_id=job.id,
                tasks=names,
            )
        )
    for (name, day_v), mins in per_day.items():
        if mins > tasks[name].minutes:
            problems.append(
                Problem(
                    f"作業「{name}」が{Weekday(day_v).ja}曜に{mins}分あり、作業時間 ({tasks[name].minutes}分) を超えます",
                    f"task {name!r} over its minutes on {day_v}",
                    field="tasks",
                )
            )
    if total > job.need_minutes:
        problems.append(
            Problem(
                f"案の合計 (週{total}分) が受け入れ先の必要な時間 (週{job.need_minutes}分) を超えます",
                f"proposals total {total} min exceeds the host's weekly need {job.need_minutes}",
                field="proposals",
            )
        )
    if problems:
        # the proposals are read against the job as stored (its tasks, windows and weekly need): a conflict
        raise ConflictError(problems)
    store.write(
        WriteBatch(
            nodes=[NodeRow(NodeLabel.OPPORTUNITY, o.id, to_props(o)) for o in opps],
            rels=[
                r
                for o in opps
                for r in (
                    RelRow(
                        RelType.HOSTED_BY,
                        NodeRef(NodeLabel.OPPORTUNITY, o.id),
                        NodeRef(job.host_label, job.host_id),
                    ),
                    RelRow(
                        RelType.SLICED_FROM,
                        NodeRef(NodeLabel.OPPORTUNITY, o.id),
                        NodeRef(NodeLabel.JOB, job.id),
                    ),
                )
            ],
        )
    )
    return opps


def location_of(store: GraphStore, job: Job) -> GeoPoint | None:
    """The job's place: its own, else its host's."""
    if job.location is not None:
        return job.location
    host = store.get_node(NodeRef(job.host_label, job.host_id))
    if host is not None and "lat" in host.props and "lon" in host.props:
        lat, lon = host.props["lat"], host.props["lon"]
        assert isinstance(lat, int | float) and isinstance(lon, int | float)
        return GeoPoint(lat=float(lat), lon=float(lon), approximate=True)
    return None


def store_jobs(store: GraphStore, jobs: list[Job]) -> None:
    """Write jobs and their POSTED_BY relationships (hosts checked by the caller)."""
    store.write(
        WriteBatch(
            nodes=[NodeRow(NodeLabel.JOB, j.id, to_props(j)) for j in jobs],
            rels=[
                RelRow(RelType.POSTED_BY, NodeRef(NodeLabel.JOB, j.id), NodeRef(j.host_label, j.host_id))
                for j in jobs
            ],
        )
    )


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "-", text)


class ResourceDevelopment(UseCase):
    # ---------------------------------------------------------------- the waiting list

    def engine(self, ctx: AccessContext) -> MatchingService:
        return MatchingService(
            self.store, consents=lambda pid: self.system.consents.scope(ctx.town, pid, Purpose.PARTICIPATION)
        )

    def waiting(self, ctx: AccessContext) -> Waiting:
        """The people waiting for 参加支援 (see the module docstring)."""
        covered = self.system.consents.persons_covered(ctx.town, Purpose.PARTICIPATION, on=date.today())

        def consent(pid: str) -> bool | None:
            # a town that keeps 参加支援 consent in the register: a grant covering it today is needed
            return (pid in covered) if covered else None

        return waiting_list(self.store, self.engine(ctx), consent)

    def people_view(self, ctx: AccessContext) -> Literal["full", "counts_only"]:
        require_role(ctx.principal, *GAP_ROLES)
        return "full" if ctx.role in _ID_ROLES else "counts_only"

    def _allowed(self, ctx: AccessContext) -> set[str] | None:
        return self.policy.coordinator_persons(ctx, Purpose.PARTICIPATION)

    # ---------------------------------------------------------------- 足りない参加メニュー

    def unmet_report(self, ctx: AccessContext) -> tuple[UnmetReport, Waiting]:
        """The full report (internal: callers go through :meth:`unmet`)."""
        w = self.waiting(ctx)
        eng = self.engine(ctx)
        return unmet_need(w.profiles, eng.catalogue(), areas=w.areas), w

    def unmet(self, ctx: AccessContext) -> UnmetView:
        """The report as the role may see it; a view with person ids is audited with those ids."""
        view = self.people_view(ctx)
        rep, w = self.unmet_report(ctx)
        data = rep.to_dict()
        data["unreadable_profiles"] = len(w.unreadable)
        if view == "counts_only":
            return UnmetView("counts_only", counts_only(data))
        allowed = self._allowed(ctx)
        if allowed is not None:
            data["people"] = [p for p in data["people"] if p["person_id"] in allowed]
            data["no_feasible_ids"] = [i for i in data["no_feasible_ids"] if i in allowed]
            data["no_good_ids"] = [i for i in data["no_good_ids"] if i in allowed]
        self.audit(ctx, "unmet", "match_results", [p["person_id"] for p in data["people"]])
        return UnmetView("full", data)

    def unmet_map(self, ctx: AccessContext, *, offline: bool = True) -> str:
        """Where the people waiting live (mesh counts, small cells withheld) against the published openings."""
        require_role(ctx.principal, *GAP_ROLES)
        from graphsvc.maps.unmet_map import unmet_map_html

        rep, w = self.unmet_report(ctx)
        no_good = set(rep.no_good_ids)
        homes = w.homes
        openings = [
            (o.location.lat, o.location.lon, o.title)
            for o in self.engine(ctx).opportunities()
            if o.location is not None
        ]
        return unmet_map_html(
            ctx.town,
            list(homes.values()),
            [h for pid, h in homes.items() if pid in no_good],
            openings,
            offline=offline,
        )

    # ---------------------------------------------------------------- jobs

    def jobs(self, ctx: AccessContext) -> list[Job]:
        require_role(ctx.principal, *GAP_ROLES)
        out = []
        for row in self.store.iter_nodes(NodeLabel.JOB):
            rec = node_from_props(NodeLabel.JOB, row.props)
            assert isinstance(rec, Job)
            out.append(rec)
        return sorted(out, key=lambda j: j.id)

    def job(self, ctx: AccessContext, job_id: str) -> Job:
        require_role(ctx.principal, *GAP_ROLES)
        row = self.store.get_node(NodeRef(NodeLabel.JOB, job_id))
        if row is None:
            raise NotFoundError(
                [Problem(f"仕事「{job_id}」が見つかりません", f"no job {job_id!r}", field="job_id")]
            )
        rec = node_from_props(NodeLabel.JOB, row.props)
        assert isinstance(rec, Job)
        return rec

    def save_jobs(self, ctx: AccessContext, jobs: list[Job] | list[dict[str, Any]]) -> list[Job]:
        """Validate every job (and that its host exists) first; then one write, or nothing."""
        require_role(ctx.principal, *DEVELOP_ROLES)
        problems: list[Problem] = []
        missing_hosts: list[Problem] = []
        good: list[Job] = []
        from pydantic import ValidationError

        for n, item in enumerate(jobs, start=1):
            if isinstance(item, Job):
                j = item
            else:
                try:
                    j = Job.model_validate(item)
                except ValidationError as err:
                    problems += problems_from_validation(err, row=n if len(jobs) > 1 else None)
                    continue
            host = self.store.get_node(NodeRef(j.host_label, j.host_id))
            if host is None:
                missing_hosts.append(
                    Problem(
                        f"受け入れ先「{j.host_id}」({j.host_label.ja}) が登録されていません",
                        f"no {j.host_label.value} {j.host_id!r}",
                        field="host_id",
                        row=n if len(jobs) > 1 else None,
                        value=j.host_id,
                    )
                )
                continue
            good.append(j)
        if problems:
            raise DomainValidationError(problems)
        if missing_hosts:  # well-formed jobs whose host is not stored (yet): a conflict with what is stored
            raise ConflictError(missing_hosts)
        store_jobs(self.store, good)
        self.audit(ctx, "upsert", "jobs", [j.id for j in good])
        return good

    def _location(self, job: Job) -> GeoPoint | None:
        return location_of(self.store, job)

    # ---------------------------------------------------------------- プチ勤務化

    def slice(
        self, ctx: AccessContext, job_ids: list[str] | None = None, *, time_limit: float = 20.0
    ) -> tuple[SliceResult, dict[str, Any]]:
        """Proposals for the given jobs (all by default) against the waiting list; the result and its JSON as
        the role may see it (the people it fits only for admin and coordinators)."""
        view = self.people_view(ctx)
        jobs = [self.job(ctx, j) for j in job_ids] if job_ids else self.jobs(ctx)
        w = self.waiting(ctx)
        eng = self.engine(ctx)
        existing = eng.opportunities()
        res = slice_jobs(
            jobs,
            w.profiles,
            existing,
            locations={j.id: loc for j in jobs if (loc := self._location(j)) is not None},
            time_limit=time_limit,
        )
        data = res.to_dict(people=view == "full")
        if view == "full":
            allowed = self._allowed(ctx)
            if allowed is not None:
                for p in [*data["proposals"], *data["naive"]]:
                    for k in ("fits_ids", "newly_feasible_ids", "assigned_ids"):
                        p[k] = [i for i in p[k] if i in allowed]
            self.audit(
                ctx, "slice", "match_results", sorted({i for p in data["proposals"] for i in p["fits_ids"]})
            )
        return res, data

    def accept(self, ctx: AccessContext, job_id: str, proposals: list[dict[str, Any]]) -> list[Opportunity]:
        """Create draft openings (下書き) from proposals of a job: each is checked against the job (its tasks,
        their windows, at most the task's minutes a day and the host's weekly need) before anything is written."""
        require_role(ctx.principal, *DEVELOP_ROLES)
        opps = accept_proposals(self.store, self.job(ctx, job_id), proposals)
        self.audit(ctx, "accept", "opportunities", [o.id for o in opps])
        return opps

    def publish(self, ctx: AccessContext, opportunity_ids: list[str]) -> list[str]:
        """Publish draft openings (ranking and assignment use them from then on)."""
        require_role(ctx.principal, *DEVELOP_ROLES)
        rows = self.store.get_nodes(NodeLabel.OPPORTUNITY, opportunity_ids)
        found = {r.id: r for r in rows}
        missing = [i for i in opportunity_ids if i not in found]
        if missing:
            raise NotFoundError(
                [
                    Problem(
                        f"参加メニュー「{i}」が見つかりません",
                        f"no opportunity {i!r}",
                        field="opportunity_id",
                    )
                    for i in missing
                ]
            )
        out = []
        for r in rows:
            rec = node_from_props(NodeLabel.OPPORTUNITY, r.props)
            assert isinstance(rec, Opportunity)
            new = rec.model_copy(update={"status": OpportunityStatus.PUBLISHED})
            out.append(NodeRow(NodeLabel.OPPORTUNITY, rec.id, to_props(new)))
        self.store.write(WriteBatch(nodes=out))
        self.audit(ctx, "publish", "opportunities", [r.id for r in out])
        return [r.id for r in out]

    def drafts(self, ctx: AccessContext) -> list[Opportunity]:
        require_role(ctx.principal, *GAP_ROLES)
        out = []
        for r in self.store.iter_nodes(NodeLabel.OPPORTUNITY):
            rec = node_from_props(NodeLabel.OPPORTUNITY, r.props)
            assert isinstance(rec, Opportunity)
            if not rec.published:
                out.append(rec)
        return out

    # ---------------------------------------------------------------- カタログ

    def catalogue(
        self, ctx: AccessContext, *, host_id: str | None = None, proposals: SliceResult | None = None
    ) -> str:
        """The プチ勤務カタログ (printable A4 HTML, one card per opening): the published プチ勤務 of the town (or
        of one host), and, when given, a slicer run's proposals marked 「提案」."""
        require_role(ctx.principal, *GAP_ROLES)
        from graphsvc.reports.development import render_catalogue

        hosts = {}
        for label in (NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY):
            for r in self.store.iter_nodes(label):
                hosts[r.id] = str(r.props.get("name") or r.id)
        opps = [
            o
            for o in self.engine(ctx).opportunities()
            if o.kind is OpportunityKind.PETIT_WORK and (host_id is None or o.host_id == host_id)
        ]
        return render_catalogue(ctx.town, opps, hosts, proposals=proposals, host_id=host_id)
