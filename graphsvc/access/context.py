"""The plain context every access decision and use case takes: which town, who, for what purpose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphsvc.access.principals import Principal, Role
from graphsvc.domain.consent import Purpose
from graphsvc.domain.errors import AccessDenied, DomainValidationError, Problem

__all__ = ["AccessContext"]


@dataclass(frozen=True)
class AccessContext:
    """A caller in a town: no HTTP, no session, no store; the front doors build it, the policy reads it."""

    town: str
    principal: Principal
    purpose: Purpose | None = None

    @property
    def role(self) -> Role:
        return self.principal.role

    def who(self) -> str:
        return self.principal.who

    def need_purpose(self, allowed: Sequence[Purpose] | None = None) -> Purpose:
        """The purpose, required for reads of personal data (and limited to ``allowed`` when given).

        No purpose is a validation error (422); a purpose the role may not use is :class:`AccessDenied`.
        """
        if self.purpose is None:
            raise DomainValidationError(
                [
                    Problem(
                        "個人情報を読むには利用目的 (X-Purpose) が必要です",
                        "a purpose (X-Purpose header or ?purpose=) is required to read personal data",
                        field="X-Purpose",
                    )
                ]
            )
        if allowed is not None and self.purpose not in allowed:
            raise AccessDenied(
                [
                    Problem(
                        f"この役割では利用目的「{self.purpose.value}」は使えません (使える目的: "
                        + "・".join(p.value for p in allowed)
                        + ")",
                        f"purpose not allowed for role {self.role.value}",
                        field="X-Purpose",
                    )
                ]
            )
        return self.purpose
