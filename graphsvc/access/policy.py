"""Who may see and change what: the role rules, the consent checks and the town line, in one place.

Every check takes a plain :class:`~graphsvc.access.context.AccessContext` (town, principal, purpose) and raises
a domain error: :class:`~graphsvc.domain.errors.AccessDenied` (403), :class:`ConsentRequired` (403, the person's
consent does not cover it), :class:`NotFound` (404: absent, or not the caller's to know about),
:class:`ConflictError` (409: another system's record) or :class:`DomainValidationError` (422). The API maps them
to HTTP problems, the staff pages to error pages.

=============  ==========================================================================================
role           may
=============  ==========================================================================================
admin          everything in its towns; audit export and key management within its towns (the town line:
               only keys whose towns are all its own; only an all-towns admin manages all-towns keys)
coordinator    resources; persons assigned to the key AND with consent covering the purpose; match, assign
               and placements for those persons (a proposal also needs consent covering the host)
multiagency    persons, households, cases, supporters and ties under 支援会議 / アウトリーチ; names, notes,
               addresses and profiles are withheld unless consent covers 支援会議 (and may not be filtered on)
community      resources (agencies, venues, employers, opportunities, areas), HSDS, maps and aggregates;
               never a person or a household, not even an id
case_system    writes records, each tagged with its system id; reads back only its own personal records
               and ties; reads resources; matches its own persons when consent covers 参加支援
=============  ==========================================================================================

名寄せ (record linkage): only admin loads caselists through the API; admin and coordinator start runs (each run
records its legal basis: 支援会議 under 社会福祉法第106条の6, or 本人同意) and see and decide the review queue
(:data:`LINKAGE_ROLES`); every other role gets 403 and never sees a caselist row or a name in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from graphsvc.access.consent import ConsentRegister
from graphsvc.access.context import AccessContext
from graphsvc.access.kinds import TIE_KIND, RecordKind
from graphsvc.access.ownership import OwnershipRegister
from graphsvc.access.principals import ALL, Principal, Role
from graphsvc.domain.consent import Purpose
from graphsvc.domain.errors import (
    AccessDenied,
    ConflictError,
    ConsentRequired,
    DomainValidationError,
    NotFound,
    Problem,
)

__all__ = [
    "CASELIST_WRITERS",
    "GAP_ROLES",
    "LINKAGE_ROLES",
    "MAP_ROLES",
    "MATCH_ROLES",
    "PERSONAL_READ_PURPOSES",
    "PLACEMENT_ROLES",
    "TIE_KIND",
    "WITHHELD",
    "WRITERS",
    "GapView",
    "Policy",
    "aggregate_report",
    "allowed_purposes",
    "check_town",
    "forbid",
    "redact_names",
    "require_role",
]

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
WITHHELD: dict[str, tuple[str, ...]] = {
    "persons": ("name", "notes", "participation_profile"),
    "households": ("address", "location"),
    "supporters": ("name",),
    "cases": (),
}
"""Fields multiagency staff see only when the person's consent covers 支援会議 (and never filter on)."""
WRITERS = (R.ADMIN, R.CASE_SYSTEM)
GAP_ROLES = (R.ADMIN, R.MULTIAGENCY, R.COORDINATOR, R.COMMUNITY)
MAP_ROLES = GAP_ROLES
MATCH_ROLES = (R.ADMIN, R.COORDINATOR, R.CASE_SYSTEM)
PLACEMENT_ROLES = (R.ADMIN, R.COORDINATOR)
LINKAGE_ROLES = (R.ADMIN, R.COORDINATOR)
"""Who may start a 名寄せ run and see or decide its review queue (the queue shows names side by side)."""
CASELIST_WRITERS = (R.ADMIN,)
"""Who may load an agency's caselist through the API (the CLI is the local operator)."""
_GAP_FULL_PURPOSES = (Purpose.SUPPORT_MEETING, Purpose.OUTREACH)
# the purpose matching and placements need from a coordinator or a case system
_MATCHING_PURPOSES = (Purpose.PARTICIPATION,)
# aggregates every role may see: tables of counts by sector and by area
_AGGREGATE_TABLES = {
    ("overlap", "matrix"),
    ("overlap", "unmet_matrix"),
    ("coverage", "areas"),
    ("reachability", "hops"),
    ("reachability", "reached_within_k"),
    ("reachability", "clusters"),
    ("agency_network", "components"),
    ("agency_network", "cut_off"),
    ("agency_network", "without_collaboration"),
    ("agency_network", "articulation_points"),
    ("agency_network", "bridges"),
    ("agency_network", "sectors"),
    ("agency_network", "sector_groups"),
    ("agency_network", "mending_links"),
}
_SAFE_CLUSTER_KEYS = {"cluster_id", "households", "nodes", "risk_households", "entry_reaches"}
"""What the aggregate view keeps of an isolated cluster: its size, never its households or its entry point."""
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

GapView = Literal["aggregate", "full", "full_redacted"]


def _denied(message_ja: str, message_en: str, field: str = "authorization") -> AccessDenied:
    return AccessDenied([Problem(message_ja, message_en, field=field)])


def forbid(role: Role, what_ja: str = "この情報", what_en: str = "this") -> AccessDenied:
    return _denied(
        f"「{role.ja}」の役割では{what_ja}を扱えません", f"role {role.value} may not access {what_en}"
    )


def require_role(principal: Principal, *roles: Role) -> None:
    """Only these roles (403 otherwise)."""
    if principal.role not in roles:
        raise _denied(
            f"「{principal.role.ja}」の役割ではこの操作はできません",
            f"role {principal.role.value} may not do this",
        )


def check_town(principal: Principal, town: str) -> None:
    """The key must be scoped to the town (403 otherwise)."""
    if not principal.can_town(town):
        raise _denied("この町へのアクセス権がありません", "this key is not scoped to this town", "town")


def allowed_purposes(role: Role) -> list[Purpose]:
    """The purposes a role may read personal data for (none for community: it never reads any)."""
    if role not in PERSONAL_READ_PURPOSES:
        return []
    got = PERSONAL_READ_PURPOSES[role]
    return list(Purpose) if got is None else list(got)


def _no_consent(person_id: str, recipient: str | None) -> ConsentRequired:
    if recipient is None:
        return ConsentRequired(
            [
                Problem(
                    f"本人「{person_id}」の同意がこの利用目的を含んでいません",
                    f"consent of {person_id!r} does not cover this purpose",
                    field="consent",
                )
            ]
        )
    return ConsentRequired(
        [
            Problem(
                f"本人「{person_id}」は受け入れ先「{recipient}」への情報提供に同意していません",
                f"consent of {person_id!r} does not cover host {recipient!r}",
                field="consent",
            )
        ]
    )


def _not_yours(message_ja: str, message_en: str, field: str = "person_id") -> NotFound:
    return NotFound([Problem(message_ja, message_en, field=field)])


class Policy:
    """The role, consent and ownership rules over the system database's registers."""

    def __init__(self, consents: ConsentRegister, ownership: OwnershipRegister):
        self.consents = consents
        self.ownership = ownership

    # ------------------------------------------------------------ reading records

    def check_read(self, ctx: AccessContext, kind: str, personal: bool) -> Purpose | None:
        """403 when the role may not read this kind; for personal kinds, require and return the purpose."""
        if not personal:
            return ctx.purpose
        if ctx.role not in _PERSONAL_READERS.get(kind, set()):
            raise forbid(ctx.role, "個人・世帯の情報", "personal data")
        return ctx.need_purpose(PERSONAL_READ_PURPOSES.get(ctx.role))

    def coordinator_persons(self, ctx: AccessContext, purpose: Purpose | None) -> set[str] | None:
        """Person ids a coordinator may see for the purpose (assigned ∩ consented); None for other roles."""
        if ctx.role is not R.COORDINATOR:
            return None
        consented = self.consents.persons_covered(ctx.town, purpose)
        if ctx.principal.all_persons:
            return consented
        return consented & set(ctx.principal.persons)

    def restricted_ids(self, ctx: AccessContext, kind: RecordKind) -> list[str] | None:
        """The ids this caller may list of this kind, or None for no restriction."""
        if kind.personal and ctx.role is R.CASE_SYSTEM:
            return self.ownership.owned(ctx.town, kind.path, ctx.principal.owner_id)
        if kind.path == "persons":
            allowed = self.coordinator_persons(ctx, ctx.purpose)
            if allowed is not None:
                return sorted(allowed)
        return None

    def check_visible(self, ctx: AccessContext, kind: RecordKind, record_id: str) -> None:
        """One record of a listable kind: 404 unless the caller may see it (403 for an assigned person whose
        consent does not cover the purpose)."""
        ids = self.restricted_ids(ctx, kind)
        if ids is None or record_id in ids:
            return
        if ctx.role is R.COORDINATOR and ctx.principal.assigned(record_id):
            raise ConsentRequired(
                [
                    Problem(
                        "本人の同意がこの利用目的を含んでいません",
                        "the person's consent does not cover this purpose",
                        field="consent",
                    )
                ]
            )
        raise _not_yours(f"{kind.ja}が見つかりません", f"no such {kind.label.value}", "id")

    def check_filter(self, ctx: AccessContext, kind: RecordKind, fields: Iterable[str]) -> None:
        """Filtering only on fields the role may see (a withheld field would tell who has that name): 422
        naming the field otherwise."""
        if ctx.role is not R.MULTIAGENCY:
            return
        hidden = [f for f in fields if f in WITHHELD.get(kind.path, ())]
        if hidden:
            raise DomainValidationError(
                [
                    Problem(
                        f"この役割では{kind.ja}の項目「{f}」で絞り込めません (同意がない本人の情報は見られないため)",
                        f"role {ctx.role.value} may not filter {kind.path} on {f!r} (a withheld field)",
                        field=f"filter.{f}",
                    )
                    for f in hidden
                ]
            )

    def redact(
        self, ctx: AccessContext, kind: str, item: dict[str, Any], person_id: str | None = None
    ) -> dict[str, Any]:
        """Withhold what multiagency staff may not see without consent (names, notes, addresses, profiles)."""
        if ctx.role is not R.MULTIAGENCY or kind not in WITHHELD:
            return item
        pid = person_id or (item.get("id") if kind == "persons" else None)
        if pid and self.consents.covers(ctx.town, str(pid), Purpose.SUPPORT_MEETING):
            return item
        out = dict(item)
        for f in WITHHELD[kind]:
            if f in out:
                out[f] = None
        return out

    # ------------------------------------------------------------ writing records

    def check_write(self, ctx: AccessContext) -> None:
        """Only admin and case systems write records."""
        if ctx.role not in WRITERS:
            raise forbid(ctx.role, "記録の登録・削除", "writes")

    def check_write_owned(
        self, ctx: AccessContext, kind: str, ids: Iterable[str], existing: set[str]
    ) -> None:
        """A case system may write only records it owns or new ones; nothing someone else wrote or loaded."""
        if ctx.role is not R.CASE_SYSTEM:
            return
        ids = list(ids)
        owners = self.ownership.owners(ctx.town, kind, ids)
        sid = ctx.principal.owner_id
        bad = [i for i in ids if owners.get(i, sid if i not in existing else None) != sid]
        if bad:
            raise ConflictError(
                [
                    Problem(
                        "他のシステムまたは管理者が登録した記録は変更できません",
                        "record written by another system or by an administrator",
                        field="id",
                        value=i,
                    )
                    for i in bad[:50]
                ]
            )

    def claim(self, ctx: AccessContext, kind: str, ids: Sequence[str]) -> None:
        """Tag what a case system wrote with its system id (other writers own nothing)."""
        if ctx.role is R.CASE_SYSTEM and ids:
            self.ownership.claim(ctx.town, kind, ids, ctx.principal.owner_id)

    # ------------------------------------------------------------ persons: participation support

    def matching_purpose(self, ctx: AccessContext) -> Purpose:
        """The purpose matching and placements need: 参加支援 for coordinators and case systems, else any."""
        return ctx.need_purpose(_MATCHING_PURPOSES if ctx.role in (R.COORDINATOR, R.CASE_SYSTEM) else None)

    def _own_person(self, ctx: AccessContext, person_id: str) -> bool:
        owners = self.ownership.owners(ctx.town, "persons", [person_id])
        return owners.get(person_id) == ctx.principal.owner_id

    def require_person_access(
        self, ctx: AccessContext, person_id: str, purpose: Purpose, recipient: str | None = None
    ) -> None:
        """Coordinator: the person must be assigned and consent must cover the purpose (and the recipient);
        case system: its own person, with consent; admin: consent for a recipient."""
        if ctx.role is R.ADMIN:
            if recipient is not None and not self.consents.covers(ctx.town, person_id, purpose, recipient):
                raise _no_consent(person_id, recipient)
            return
        if ctx.role is R.CASE_SYSTEM:
            if not self._own_person(ctx, person_id):
                raise _not_yours("このシステムの本人ではありません", "not a person of this system")
            if not self.consents.covers(ctx.town, person_id, purpose, recipient):
                raise _no_consent(person_id, recipient)
            return
        if ctx.role is not R.COORDINATOR:
            raise forbid(ctx.role, "本人の参加支援", "participation support")
        if not ctx.principal.assigned(person_id):
            raise _not_yours("担当の本人ではありません", "not a person assigned to this key")
        if not self.consents.covers(ctx.town, person_id, purpose, recipient):
            raise _no_consent(person_id, recipient)

    def may_access_person(
        self, ctx: AccessContext, person_id: str, purpose: Purpose, recipient: str | None = None
    ) -> bool:
        try:
            self.require_person_access(ctx, person_id, purpose, recipient)
        except (AccessDenied, NotFound):
            return False
        return True

    def check_person_in_scope(self, ctx: AccessContext, person_id: str) -> None:
        """404 unless the person is assigned to this coordinator or owned by this case system."""
        if ctx.role is R.COORDINATOR and not ctx.principal.assigned(person_id):
            raise _not_yours("担当の本人ではありません", "not a person assigned to this key")
        if ctx.role is R.CASE_SYSTEM and not self._own_person(ctx, person_id):
            raise _not_yours("このシステムの本人ではありません", "not a person of this system")

    # ------------------------------------------------------------ the gap report

    def gap_view(self, ctx: AccessContext, *, full_only: bool = False) -> GapView:
        """Which gap report the caller sees: community and coordinators the aggregate (numbers only), admin the
        full report, multiagency the full report with names withheld; the full one needs a purpose (支援会議 or
        アウトリーチ for multiagency). ``full_only``: pages that exist only in the full view."""
        require_role(ctx.principal, *((R.ADMIN, R.MULTIAGENCY) if full_only else GAP_ROLES))
        if ctx.role in (R.COMMUNITY, R.COORDINATOR):
            return "aggregate"
        ctx.need_purpose(None if ctx.role is R.ADMIN else _GAP_FULL_PURPOSES)
        return "full_redacted" if ctx.role is R.MULTIAGENCY else "full"

    # ------------------------------------------------------------ keys and the audit log (the town line)

    @staticmethod
    def check_key_admin(admin: Principal, towns: Sequence[str]) -> None:
        """An admin manages (sees, creates, revokes) only keys whose towns are all within its own; only an
        all-towns admin manages all-towns keys. No towns: the role alone is checked."""
        require_role(admin, R.ADMIN)
        if towns and not admin.covers_towns(towns):
            if ALL in towns:
                raise _denied(
                    "すべての町のキーは、すべての町の管理者だけが扱えます",
                    "only an all-towns admin manages all-towns keys",
                    "towns",
                )
            raise _denied(
                "自分の範囲外の町のキーは扱えません",
                "cannot manage a key of a town outside your scope",
                "towns",
            )

    @staticmethod
    def manages_key(admin: Principal, towns: Sequence[str]) -> bool:
        return admin.role is R.ADMIN and admin.covers_towns(towns)

    @staticmethod
    def audit_town(admin: Principal, town: str | None) -> str | None:
        """The town an admin's audit query is limited to: its own (a one-town admin must name it)."""
        require_role(admin, R.ADMIN)
        if town is not None:
            check_town(admin, town)
            return town
        if not admin.all_towns:
            raise DomainValidationError([Problem("町を指定してください (town)", "give a town", field="town")])
        return None


def aggregate_report(report: dict[str, Any]) -> dict[str, Any]:
    """Only numbers: scalars kept, lists replaced by their length, a few count tables kept whole; the agency
    network whole (agencies are not personal data); isolated clusters by size only; the report's findings (they
    name agencies, never a household, person or supporter)."""
    out: dict[str, Any] = {}
    if isinstance(report.get("findings_ja"), list):
        out["findings_ja"] = list(report["findings_ja"])
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
                elif key == "clusters":
                    sec[key] = [{k: v for k, v in c.items() if k in _SAFE_CLUSTER_KEYS} for c in value]
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
