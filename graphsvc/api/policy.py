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

__all__ = [
    "PERSONAL_READ_PURPOSES",
    "TIE_KIND",
    "can_write",
    "check_read",
    "check_write_owned",
    "coordinator_persons",
    "forbid",
    "redact",
    "require_person_access",
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
