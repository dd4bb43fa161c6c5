"""本人同意 (consent) of a person: list, grant, withdraw. Recorded by admin, the person's coordinator, or the
case system that owns the person record; every call is audited. The API's ``/persons/{id}/consents`` and the
person page's consent forms both call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import require_role
from graphsvc.access.principals import ALL, Role
from graphsvc.domain.consent import ConsentGrant
from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.errors import DomainValidationError, NotFound, Problem
from graphsvc.services.base import UseCase
from graphsvc.store.port import NodeRef

__all__ = ["CONSENT_ROLES", "ConsentService", "GrantState", "grant_state"]

CONSENT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CASE_SYSTEM)
"""Who lists, records and withdraws a person's consent."""


@dataclass(frozen=True)
class GrantState:
    """A grant's state on a day, in Japanese and English; ``current``: active or not yet started (withdrawable)."""

    ja: str
    en: str
    current: bool


def grant_state(g: ConsentGrant, today: date | None = None) -> GrantState:
    today = today or datetime.now(UTC).date()  # the day the register's checks use
    if g.withdrawn_at is not None:
        return GrantState(f"撤回済み ({g.withdrawn_at[:10]})", "withdrawn", False)
    if g.active(today):
        return GrantState("有効", "active", True)
    if date.fromisoformat(g.valid_from) > today:
        return GrantState("開始前", "not yet valid", True)
    return GrantState("期間終了", "expired", False)


class ConsentService(UseCase):
    def check(self, ctx: AccessContext, person_id: str) -> None:
        """The roles that handle consent, the person in the caller's scope, and the person on record."""
        require_role(ctx.principal, *CONSENT_ROLES)
        self.policy.check_person_in_scope(ctx, person_id)
        if self.store.get_node(NodeRef(NodeLabel.PERSON, person_id)) is None:
            raise NotFound(
                [
                    Problem(
                        f"本人「{person_id}」が見つかりません", f"no person {person_id!r}", field="person_id"
                    )
                ]
            )

    def list(self, ctx: AccessContext, person_id: str) -> list[ConsentGrant]:
        """The person's grants, withdrawn and expired ones included (a purpose is required: personal data)."""
        require_role(ctx.principal, *CONSENT_ROLES)
        ctx.need_purpose()
        self.check(ctx, person_id)
        self.audit(ctx, "read", "consents", [person_id])
        return self.system.consents.grants(ctx.town, person_id)

    def grant(
        self,
        ctx: AccessContext,
        person_id: str,
        *,
        purposes: Iterable[str],
        recipients: Iterable[str] = (ALL,),
        valid_from: date | None = None,
        valid_until: date | None = None,
        note: str | None = None,
    ) -> ConsentGrant:
        self.check(ctx, person_id)
        chosen = list(purposes)
        if not chosen:
            raise DomainValidationError.one(
                "利用目的を1つ以上選んでください", "give at least one purpose", field="purposes"
            )
        if valid_from and valid_until and valid_until < valid_from:
            raise DomainValidationError.one(
                "終了日が開始日より前です", "valid_until is before valid_from", field="valid_until"
            )
        g = self.system.consents.grant(
            ctx.town,
            person_id,
            purposes=chosen,
            recipients=list(recipients) or [ALL],
            valid_from=valid_from,
            valid_until=valid_until,
            recorded_by=ctx.who(),
            note=note,
        )
        self.audit(ctx, "consent_grant", "consents", [person_id])
        return g

    def withdraw(self, ctx: AccessContext, person_id: str, grant_id: str) -> None:
        """Withdraw an active (or not yet started) grant; it stays on record with ``withdrawn_at``."""
        self.check(ctx, person_id)
        if len(grant_id) > 64 or not self.system.consents.withdraw(ctx.town, person_id, grant_id):
            raise NotFound(
                [Problem("その同意はありません (撤回済みを含む)", "no such active grant", field="grant_id")]
            )
        self.audit(ctx, "consent_withdraw", "consents", [person_id])
