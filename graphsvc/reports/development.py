"""Printable pages of 資源開発: the report 「足りない参加メニュー」 and the 「プチ勤務カタログ」 (A4 HTML, the styles
inlined so the file prints the same from a browser, an e-mail or a USB stick)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from graphsvc.domain.enums import Weekday
from graphsvc.domain.records import Opportunity
from matching.constraints import Reason
from matching.records import Opening
from matching.slicing import SliceResult
from matching.unmet import BANDS

__all__ = ["catalogue_cards", "render_catalogue", "render_unmet"]


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("graphsvc.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["n"] = lambda v: "少数のため非表示" if v is None else f"{v:,}"
    return env


def _css() -> str:
    return (resources.files("graphsvc.reports") / "templates" / "development.css").read_text(encoding="utf-8")


def _times(o: Opportunity | Opening) -> str:
    if o.schedule is None or not o.schedule.slots:
        return "随時 (在宅など)" if o.remote else "調整"
    return "、".join(f"{s.weekday.ja} {s.opens}–{s.closes}" for s in o.schedule.slots)


def _card(o: Opportunity | Opening, host: str, status: str, extra: Sequence[str] = ()) -> dict[str, Any]:
    if isinstance(o, Opportunity):
        cap = (
            o.capacity.available
            if o.capacity is not None and o.capacity.available is not None
            else (o.capacity.maximum if o.capacity is not None else None)
        )
        tasks = list(o.tasks) or ([o.description] if o.description else [])
    else:
        cap = o.capacity_left
        tasks = [o.description or ""]
    hours = o.hours_per_session
    return {
        "title": o.title,
        "host": host,
        "times": _times(o),
        "hours": "" if hours is None else (f"{hours * 60:.0f}分" if hours < 1 else f"{hours:g}時間"),
        "tasks": [t for t in tasks if t],
        "difficulty": o.difficulty,
        "contact": o.contact_load,
        "physical": o.physical_load,
        "skills": list(o.skills_wanted),
        "support": list(o.support),
        "contact_person": o.contact_person or "",
        "capacity": cap,
        "remote": o.remote,
        "status": status,
        "why": list(extra),
    }


def catalogue_cards(
    opportunities: Sequence[Opportunity],
    hosts: Mapping[str, str],
    proposals: SliceResult | None = None,
) -> list[dict[str, Any]]:
    cards = [_card(o, hosts.get(o.host_id or "", o.host_id or ""), "公開中") for o in opportunities]
    if proposals is not None:
        for p in proposals.proposals:
            o = p.opening
            cards.append(_card(o, hosts.get(o.host_id or "", o.host_id or ""), "提案", p.why))
    return cards


def render_catalogue(
    town: str,
    opportunities: Sequence[Opportunity],
    hosts: Mapping[str, str],
    *,
    proposals: SliceResult | None = None,
    host_id: str | None = None,
) -> str:
    """The プチ勤務カタログ: one card per opening (A4, two cards a row)."""
    cards = catalogue_cards(opportunities, hosts, proposals)
    title = f"プチ勤務カタログ ({hosts.get(host_id, host_id)})" if host_id else "プチ勤務カタログ"
    return (
        _env()
        .get_template("catalogue.html")
        .render(css=_css(), town=town, title=title, cards=cards, host_id=host_id)
    )


def render_unmet(
    town: str,
    report: Mapping[str, Any],
    *,
    slicing: Mapping[str, Any] | None = None,
    map_href: str | None = None,
) -> str:
    """The printable report 「足りない参加メニュー」 (full or counts-only, as given)."""
    days = [(d.value, d.ja) for d in Weekday]
    avail = report["availability"]
    vals = [v for row in avail.values() for v in row.values() if isinstance(v, int)]
    top = max(vals, default=0)
    return (
        _env()
        .get_template("unmet.html")
        .render(
            css=_css(),
            town=town,
            r=report,
            days=days,
            bands=[(b[0], b[1]) for b in BANDS],
            top=top,
            reason_ja={r.value: r.ja for r in Reason},
            slicing=slicing,
            map_href=map_href,
            counts_only=report.get("view") == "counts_only",
        )
    )
