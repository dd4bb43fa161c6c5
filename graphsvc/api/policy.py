"""Who may see and change what: the role rules and the consent checks, in one place.

=============  ==========================================================================================
role           may
=============  ==========================================================================================
admin          everything in its towns; audit export; key management
coordinator    resources; persons assigned to the key AND with consent covering the purpose; match, assign
               and placements for those persons (a proposal also needs consent covering the host)
multiagency    persons, households, cases, supporters and ties under 支援会議 / アウトリーチ; names, notes,
               addresses and profiles are withheld unless consent covers 支援会議
community      resources (agencies, venues, employers, opportunities, areas), HSDS, maps and aggregates;
               never a person or a household, not even an id
case_system    writes records, each tagged with its system id; reads back only its own personal records
               and ties; reads resources; matches its own persons when consent covers 参加支援
=============  ==========================================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphsvc.api.consent import Purpose
from graphsvc.api.deps import TownCtx
from graphsvc.api.errors import ApiError
from graphsvc.api.schemas.records import Kind
from graphsvc.api.security import Role
from graphsvc.domain.codec import node_from_props
from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.records import Opportunity
from graphsvc.store.port import NodeRef

__all__ = [
    "PERSONAL_READ_PURPOSES",
    "TIE_KIND",
    "aggregate_report",
    "can_write",
    "check_person_in_scope",
    "check_read",
    "check_write_owned",
    "coordinator_persons",
    "forbid",
    "matching_purpose",
    "opportunity_host",
    "redact",
    "redact_names",
    "require_person_access",
    "restricted_ids",
]

TIE_KIND = "ties"
R = Role
PERSONAL_READ_PURPOSES: dict[Role, tuple[Purpose, ...] | None] = {
    R.ADMIN: None,
    R.CASE_SYSTEM: None,
    R.COORDINATOR: (Purpose.PARTICIPATION, Purpose.OUTREACH, Purpose.ADMINISTRATION),
    R.MULTIAGENCY: (Purpose.SUPPORT_MEETING, Purpose.OUTREACH),
}
_PERSONAL_READERS = {
    "persons": {R.ADMIN, R.CASE_SYSTEM, R.COORDINATOR, R.MULTIAGENCY},
    "households": {R.ADMIN, R.CASE_SYSTEM, R.MULTIAGENCY},
    "cases": {R.ADMIN, R.CASE_SYSTEM, R.MULTIAGENCY},
    "supporters": {R.ADMIN, R.CASE_SYSTEM, R.MULTIAGENCY},
    TIE_KIND: {R.ADMIN, R.CASE_SYSTEM, R.MULTIAGENCY},
}
_WITHHELD = {
    "persons": ("name", "notes", "participation_profile"),
    "households": ("address", "location"),
    "supporters": ("name",),
    "cases": (),
}
# the purpose matching and placements need from a coordinator or a case system
_MATCHING_PURPOSES = (Purpose.PARTICIPATION,)
# aggregates every role may see: tables of counts by sector and by area
_AGGREGATE_TABLES = {("overlap", "matrix"), ("overlap", "unmet_matrix"), ("coverage", "areas")}
_SAFE_AREA_KEYS = {
    "area_id",
    "name",
    "at_risk",
    "near",
    "far",
    "no_location",
    "approximate_location",
    "far_share",
}


def forbid(ctx: TownCtx, what_ja: str = "この情報", what_en: str = "this") -> ApiError:
    return ApiError.of(
        403,
        f"「{ctx.role.ja}」の役割では{what_ja}を扱えません",
        f"role {ctx.role.value} may not access {what_en}",
        "authorization",
    )


def check_read(ctx: TownCtx, kind: str, personal: bool) -> Purpose | None:
    """Raise 403 when the role may not read this kind; for personal kinds, require and return the purpose."""
    if not personal:
        return ctx.purpose
    if ctx.role not in _PERSONAL_READERS.get(kind, set()):
        raise forbid(ctx, "個人・世帯の情報", "personal data")
    return ctx.need_purpose(PERSONAL_READ_PURPOSES.get(ctx.role))


def can_write(ctx: TownCtx) -> None:
    if ctx.role not in (R.ADMIN, R.CASE_SYSTEM):
        raise forbid(ctx, "記録の登録・削除", "writes")


def check_write_owned(ctx: TownCtx, kind: str, ids: Iterable[str], existing: set[str]) -> None:
    """A case system may write only records it owns or new ones; nothing someone else wrote or loaded."""
    if ctx.role is not R.CASE_SYSTEM:
        return
    ids = list(ids)
    owners = ctx.system.ownership.owners(ctx.town, kind, ids)
    sid = ctx.principal.system_id or ctx.principal.key_id
    bad = [i for i in ids if owners.get(i, sid if i not in existing else None) != sid]
    if bad:
        raise ApiError(
            409,
            [
                ApiError.of(
                    409,
                    "他のシステムまたは管理者が登録した記録は変更できません",
                    "record written by another system or by an administrator",
                    "id",
                    value=i,
                ).problems[0]
                for i in bad[:50]
            ],
        )


def coordinator_persons(ctx: TownCtx, purpose: Purpose | None) -> set[str] | None:
    """Person ids a coordinator may see for the purpose (assigned ∩ consented); None for other roles."""
    if ctx.role is not R.COORDINATOR:
        return None
    consented = ctx.system.consents.persons_covered(ctx.town, purpose)
    if ctx.principal.all_persons:
        return consented
    return consented & set(ctx.principal.persons)


def require_person_access(
    ctx: TownCtx, person_id: str, purpose: Purpose, recipient: str | None = None
) -> None:
    """Coordinator: the person must be assigned and consent must cover the purpose (and the recipient)."""
    if ctx.role is R.ADMIN:
        if recipient is not None and not ctx.system.consents.covers(ctx.town, person_id, purpose, recipient):
            raise _no_consent(person_id, recipient)
        return
    if ctx.role is R.CASE_SYSTEM:
        owners = ctx.system.ownership.owners(ctx.town, "persons", [person_id])
        if owners.get(person_id) != (ctx.principal.system_id or ctx.principal.key_id):
            raise ApiError.of(
                404, "このシステムの本人ではありません", "not a person of this system", "person_id"
            )
        if not ctx.system.consents.covers(ctx.town, person_id, purpose, recipient):
            raise _no_consent(person_id, recipient)
        return
    if ctx.role is not R.COORDINATOR:
        raise forbid(ctx, "本人の参加支援", "participation support")
    if not ctx.principal.assigned(person_id):
        raise ApiError.of(404, "担当の本人ではありません", "not a person assigned to this key", "person_id")
    if not ctx.system.consents.covers(ctx.town, person_id, purpose, recipient):
        raise _no_consent(person_id, recipient)


def _no_consent(person_id: str, recipient: str | None) -> ApiError:
    if recipient is None:
        return ApiError.of(
            403,
            f"本人「{person_id}」の同意がこの利用目的を含んでいません",
            f"consent of {person_id!r} does not cover this purpose",
            "consent",
        )
    return ApiError.of(
        403,
        f"本人「{person_id}」は受け入れ先「{recipient}」への情報提供に同意していません",
        f"consent of {person_id!r} does not cover host {recipient!r}",
        "consent",
    )


def redact(
    ctx: TownCtx, kind: Kind | str, item: dict[str, Any], person_id: str | None = None
) -> dict[str, Any]:
    """Withhold what multiagency staff may not see without consent (names, notes, addresses, profiles)."""
    path = kind if isinstance(kind, str) else kind.path
    if ctx.role is not R.MULTIAGENCY or path not in _WITHHELD:
        return item
    pid = person_id or (item.get("id") if path == "persons" else None)
    if pid and ctx.system.consents.covers(ctx.town, str(pid), Purpose.SUPPORT_MEETING):
        return item
    out = dict(item)
    for f in _WITHHELD[path]:
        if f in out:
            out[f] = None
    return out


def restricted_ids(ctx: TownCtx, kind: Kind) -> list[str] | None:
    """The ids this caller may list of this kind, or None for no restriction."""
    if kind.personal and ctx.role is R.CASE_SYSTEM:
        return ctx.system.ownership.owned(
            ctx.town, kind.path, ctx.principal.system_id or ctx.principal.key_id
        )
    if kind.path == "persons":
        allowed = coordinator_persons(ctx, ctx.purpose)
        if allowed is not None:
            return sorted(allowed)
    return None


def check_person_in_scope(ctx: TownCtx, person_id: str) -> None:
    """Raise 404 unless the person is assigned to this coordinator, owned by this case system, and exists."""
    if ctx.role is R.COORDINATOR and not ctx.principal.assigned(person_id):
        raise ApiError.of(404, "担当の本人ではありません", "not a person assigned to this key", "person_id")
    if ctx.role is R.CASE_SYSTEM:
        owners = ctx.system.ownership.owners(ctx.town, "persons", [person_id])
        if owners.get(person_id) != (ctx.principal.system_id or ctx.principal.key_id):
            raise ApiError.of(
                404, "このシステムの本人ではありません", "not a person of this system", "person_id"
            )
    if ctx.store.get_node(NodeRef(NodeLabel.PERSON, person_id)) is None:
        raise ApiError.of(
            404, f"本人「{person_id}」が見つかりません", f"no person {person_id!r}", "person_id"
        )


def matching_purpose(ctx: TownCtx) -> Purpose:
    """The required purpose for matching and placements: 参加支援 for coordinators and case systems, else any."""
    return ctx.need_purpose(_MATCHING_PURPOSES if ctx.role in (R.COORDINATOR, R.CASE_SYSTEM) else None)


def opportunity_host(ctx: TownCtx, opportunity_id: str) -> str:
    """The recipient a proposal's consent must cover: the host, else the opportunity itself; 404 if none."""
    row = ctx.store.get_node(NodeRef(NodeLabel.OPPORTUNITY, opportunity_id))
    if row is None:
        raise ApiError.of(
            404, f"参加メニュー「{opportunity_id}」が見つかりません", "no such opportunity", "opportunity_id"
        )
    opp = node_from_props(NodeLabel.OPPORTUNITY, row.props)
    assert isinstance(opp, Opportunity)
    return opp.host_id or opp.id


def aggregate_report(report: dict[str, Any]) -> dict[str, Any]:
    """Only numbers: scalars kept, lists replaced by their length, a few count tables kept whole."""
    out: dict[str, Any] = {}
    for section, body in report.items():
        if section == "summary_ja":
            continue
        if not isinstance(body, dict):
            continue
        sec: dict[str, Any] = {}
        for key, value in body.items():
            if (section, key) in _AGGREGATE_TABLES:
                if key == "areas":
                    sec[key] = [{k: v for k, v in a.items() if k in _SAFE_AREA_KEYS} for a in value]
                else:
                    sec[key] = value
            elif isinstance(value, bool | int | float) or key == "summary_ja":
                sec[key] = value
            elif isinstance(value, list):
                sec[f"{key}_count"] = len(value)
        out[section] = sec
    return out


def redact_names(value: Any) -> Any:
    """Blank the names of persons and households (dicts so labelled or with a person_id), recursively."""
    if isinstance(value, dict):
        personal = value.get("label") in ("Person", "Household") or "person_id" in value
        return {k: (None if personal and k == "name" else redact_names(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_names(v) for v in value]
    return value
