"""資源開発: 足りない参加メニュー (the page, its printable report, CSV and map), the jobs of a town as task lists (a
form), プチ勤務化 (proposals against the waiting list, accepted as drafts), publishing drafts, and the プチ勤務カタログ.
Every handler calls :class:`graphsvc.services.development.ResourceDevelopment`, as the API does."""

from __future__ import annotations

import io
import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response

from graphsvc.domain.enums import NodeLabel, Weekday
from graphsvc.domain.errors import ConflictError, DomainValidationError, Problem
from graphsvc.domain.spreadsheet import write_rows
from graphsvc.web.core import MAP_CSP, SECURITY_HEADERS, TownPage, opening
from graphsvc.web.pages._common import Id, see_other, sub_router

router = sub_router()

PRINT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'none'"
)
TASK_ROWS = 6
_BANDS = (("early", "早朝"), ("morning", "午前"), ("afternoon", "午後"), ("evening", "夕方・夜"))


def _standalone(html: str, csp: str = PRINT_CSP) -> HTMLResponse:
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": csp})


def _heat(v: Any, top: int) -> str:
    if not isinstance(v, int) or v <= 0 or top <= 0:
        return "heat0"
    return f"heat{min(4, 1 + int(3 * v / top))}"


@router.get("/towns/{town}/unmet")
def unmet(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    v = p.t.development.unmet(p.ctx)
    r = v.report
    vals = [x for row in r["availability"].values() for x in row.values() if isinstance(x, int)]
    top = max(vals, default=0)
    heat = {d: {b: _heat(x, top) for b, x in row.items()} for d, row in r["availability"].items()}
    return p.render(
        "unmet.html",
        title="足りない参加メニュー",
        r=r,
        view=v.view,
        heat=heat,
        days=[(d.value, d.ja) for d in Weekday],
        bands=_BANDS,
    )


@router.get("/towns/{town}/unmet/print")
def unmet_print(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    from graphsvc.reports.development import render_unmet

    v = p.t.development.unmet(p.ctx)
    return _standalone(render_unmet(p.town, v.report, map_href=f"/app/towns/{p.town}/unmet/map"))


@router.get("/towns/{town}/unmet.csv")
def unmet_csv(p: Annotated[TownPage, opening()]) -> Response:
    from matching.unmet import report_rows

    v = p.t.development.unmet(p.ctx)
    buf = io.StringIO()
    cols = ("section", "key", "label", "count")
    write_rows(buf, cols, [[r[c] for c in cols] for r in report_rows(v.report)])
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="unmet-need.csv"'},
    )


@router.get("/towns/{town}/unmet/map")
def unmet_map(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    return _standalone(p.t.development.unmet_map(p.ctx, offline=True), MAP_CSP)


@router.get("/towns/{town}/catalogue")
def catalogue(p: Annotated[TownPage, opening()], host: str | None = None) -> HTMLResponse:
    return _standalone(p.t.development.catalogue(p.ctx, host_id=host or None))


def _jobs_page(p: TownPage, form: dict[str, str] | None = None, errors: list[Problem] | None = None,
               status: int = 200) -> HTMLResponse:  # fmt: skip
    return p.render(
        "jobs.html",
        http_status=status,
        title="仕事の切り出し (プチ勤務化)",
        jobs=p.t.development.jobs(p.ctx),
        drafts=p.t.development.drafts(p.ctx),
        hosts=p.t.records.choices(NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY),
        form=form or {},
        errors=errors or [],
        task_rows=TASK_ROWS,
        weekdays=[(d.value, d.ja) for d in Weekday],
        saved=p.page.request.query_params.get("saved"),
        published=p.page.request.query_params.get("published"),
    )


@router.get("/towns/{town}/jobs")
def jobs(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    return _jobs_page(p)


def _one(form: dict[str, list[str]], key: str) -> str:
    return (form.get(key) or [""])[0].strip()


def job_from_form(form: dict[str, list[str]]) -> dict[str, Any]:
    """The job form → a Job's JSON (tasks from the rows that have a name; days as checkboxes)."""
    host = _one(form, "host")
    label, _, hid = host.partition(":")
    data: dict[str, Any] = {
        "id": _one(form, "id"),
        "title": _one(form, "title"),
        "host_id": hid or None,
        "host_label": label or None,
        "tasks": [],
    }
    for key in ("weekly_hours", "contact_person"):
        if _one(form, key):
            data[key] = _one(form, key)
    if _one(form, "support"):
        data["support"] = [
            s.strip() for s in _one(form, "support").replace("、", ",").split(",") if s.strip()
        ]
    for i in range(TASK_ROWS):
        name = _one(form, f"t{i}_name")
        if not name:
            continue
        days = form.get(f"t{i}_days") or []
        opens, closes = _one(form, f"t{i}_opens"), _one(form, f"t{i}_closes")
        task: dict[str, Any] = {
            "name": name,
            "windows": [{"weekday": d, "opens": opens, "closes": closes} for d in days],
        }
        for key in (
            "minutes",
            "per_week",
            "difficulty",
            "contact_load",
            "physical_load",
            "min_piece_minutes",
        ):
            if _one(form, f"t{i}_{key}"):
                task[key] = _one(form, f"t{i}_{key}")
        if _one(form, f"t{i}_skills"):
            task["skills"] = [
                s.strip() for s in _one(form, f"t{i}_skills").replace("、", ",").split(",") if s.strip()
            ]
        for flag in ("splittable", "two_person", "at_home"):
            task[flag] = bool(form.get(f"t{i}_{flag}"))
        data["tasks"].append(task)
    return data


@router.post("/towns/{town}/jobs")
def job_save(p: Annotated[TownPage, opening(form=True)]) -> Response:
    data = job_from_form(p.form)
    try:
        saved = p.t.development.save_jobs(p.ctx, [data])
    except (DomainValidationError, ConflictError) as err:  # a bad field, or a host not registered
        flat = {k: v[0] for k, v in p.form.items() if v and k != "csrf"}
        flat |= {f"{k}[]": ",".join(v) for k, v in p.form.items() if k.endswith("_days")}
        return _jobs_page(p, flat, err.problems, status=422)
    return see_other(f"/app/towns/{p.town}/jobs?saved={quote(saved[0].id)}")


@router.post("/towns/{town}/jobs/{job_id}/slice")
def job_slice(p: Annotated[TownPage, opening(form=True)], job_id: Id) -> HTMLResponse:
    _res, data = p.t.development.slice(p.ctx, [job_id])
    job = p.t.development.job(p.ctx, job_id)
    return p.render(
        "slicing.html",
        title=f"プチ勤務化の提案: {job.title}",
        job=job,
        data=data,
        payload=json.dumps(data["proposals"], ensure_ascii=False),
        people=p.t.development.people_view(p.ctx) == "full",
    )


@router.post("/towns/{town}/jobs/{job_id}/accept")
def job_accept(p: Annotated[TownPage, opening(form=True)], job_id: Id) -> Response:
    try:
        proposals = json.loads(_one(p.form, "proposals") or "[]")
        chosen = {int(x) for x in p.form.get("pick") or []}
    except (ValueError, TypeError):
        raise DomainValidationError(
            [Problem("案が読めません", "unreadable proposals", field="proposals")]
        ) from None
    if not isinstance(proposals, list):
        raise DomainValidationError([Problem("案が読めません", "unreadable proposals", field="proposals")])
    picked = [x for k, x in enumerate(proposals) if k in chosen] if chosen else proposals
    opps = p.t.development.accept(p.ctx, job_id, picked)
    return see_other(f"/app/towns/{p.town}/jobs?saved={quote(','.join(o.id for o in opps))}")


@router.post("/towns/{town}/drafts/publish")
def drafts_publish(p: Annotated[TownPage, opening(form=True)]) -> Response:
    ids = [i for i in p.form.get("id") or [] if i]
    if not ids:
        raise DomainValidationError(
            [Problem("公開する参加メニューを選んでください", "choose drafts", field="id")]
        )
    done = p.t.development.publish(p.ctx, ids)
    return see_other(f"/app/towns/{p.town}/jobs?published={len(done)}")
