"""FastAPI dependencies (``Annotated`` aliases used by the routes): the container, the caller, the purpose,
and the town context every ``/v1/towns/{town}/...`` handler works in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from graphsvc.api.consent import Purpose, parse_purpose
from graphsvc.api.errors import ApiError, TokenBuckets
from graphsvc.api.security import Principal, Role
from graphsvc.api.system import SystemDB
from graphsvc.bootstrap import Container
from graphsvc.domain.errors import DomainValidationError
from graphsvc.domain.ids import TOWN_PATTERN
from graphsvc.store.port import GraphStore

__all__ = [
    "ContainerDep",
    "PrincipalDep",
    "PurposeDep",
    "SystemDep",
    "TownCtx",
    "TownDep",
    "get_container",
    "require",
]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="APIKey",
    description="`Authorization: Bearer tsk_...` (キーは `tsunagari keys create` で発行 / issued by the CLI)",
)


def get_container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_system(container: ContainerDep) -> SystemDB:
    return container.system()


SystemDep = Annotated[SystemDB, Depends(get_system)]


def get_principal(
    request: Request,
    system: SystemDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer":
        raise ApiError.of(
            401,
            "認証が必要です: Authorization: Bearer <APIキー>",
            "authentication required: Authorization: Bearer <API key>",
            "authorization",
        ).with_headers({"WWW-Authenticate": "Bearer"})
    principal = system.keys.verify(creds.credentials)
    if principal is None:
        raise ApiError.of(
            401, "APIキーが無効です (失効・誤り)", "invalid or revoked API key", "authorization"
        ).with_headers({"WWW-Authenticate": 'Bearer error="invalid_token"'})
    buckets: TokenBuckets = request.app.state.buckets
    wait = buckets.take(principal.key_id)
    if wait > 0:
        raise ApiError.of(
            429,
            "リクエストが多すぎます。しばらく待ってから再試行してください",
            "rate limited; retry later",
            "authorization",
        ).with_headers({"Retry-After": str(max(1, round(wait + 0.5)))})
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_purpose(
    x_purpose: Annotated[
        str | None,
        Header(
            alias="X-Purpose",
            description="利用目的: 参加支援 / 支援会議 / アウトリーチ / 事務 (percent-encoded) or participation / "
            "support_meeting / outreach / administration",
        ),
    ] = None,
    purpose: Annotated[
        str | None, Query(description="利用目的 (X-Purpose の代わり / instead of the header)")
    ] = None,
) -> Purpose | None:
    raw = x_purpose if x_purpose is not None else purpose
    parsed = parse_purpose(raw)
    if raw is not None and raw.strip() and parsed is None:
        raise ApiError.of(
            422,
            "利用目的は 参加支援・支援会議・アウトリーチ・事務 のいずれかです",
            "purpose must be one of participation, support_meeting, outreach, administration",
            "X-Purpose",
        )
    return parsed


PurposeDep = Annotated[Purpose | None, Depends(get_purpose)]


@dataclass
class TownCtx:
    """What a town-scoped handler works with: the town's store, the caller, the purpose and the system DB."""

    town: str
    store: GraphStore
    principal: Principal
    purpose: Purpose | None
    system: SystemDB
    container: Container

    @property
    def role(self) -> Role:
        return self.principal.role

    def need_purpose(self, allowed: Sequence[Purpose] | None = None) -> Purpose:
        """The purpose, required for reads of personal data (and limited to ``allowed`` when given)."""
        if self.purpose is None:
            raise ApiError.of(
                422,
                "個人情報を読むには利用目的 (X-Purpose) が必要です",
                "a purpose (X-Purpose header or ?purpose=) is required to read personal data",
                "X-Purpose",
            )
        if allowed is not None and self.purpose not in allowed:
            raise ApiError.of(
                403,
                f"この役割では利用目的「{self.purpose.value}」は使えません (使える目的: "
                + "・".join(p.value for p in allowed)
                + ")",
                f"purpose not allowed for role {self.role.value}",
                "X-Purpose",
            )
        return self.purpose

    def audit(self, action: str, kind: str | None, ids: Sequence[str], *, status: int = 200) -> None:
        self.system.audit.append(
            self.principal,
            action=action,
            town=self.town,
            kind=kind,
            record_ids=list(ids),
            purpose=self.purpose.value if self.purpose else None,
            status=status,
        )

    def who(self) -> str:
        return self.principal.who


def get_town(
    town: Annotated[str, Path(description="町 (town id)", examples=["toba"], pattern=TOWN_PATTERN)],
    principal: PrincipalDep,
    purpose: PurposeDep,
    container: ContainerDep,
    system: SystemDep,
) -> TownCtx:
    if not principal.can_town(town):
        raise ApiError.of(
            403, "この町へのアクセス権がありません", "this key is not scoped to this town", "town"
        )
    try:
        known = container.towns()
    except DomainValidationError:  # pragma: no cover - misconfigured neo4j
        known = []
    if container.settings.store == "embedded" and town not in known:
        raise ApiError.of(404, f"町「{town}」はありません", f"no town {town!r}", "town")
    return TownCtx(town, container.store(town), principal, purpose, system, container)


TownDep = Annotated[TownCtx, Depends(get_town)]


def require(*roles: Role) -> Callable[[PrincipalDep], Principal]:
    """A dependency that lets only these roles through (403 otherwise)."""
    allowed = frozenset(roles)

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise ApiError.of(
                403,
                f"「{principal.role.ja}」の役割ではこの操作はできません",
                f"role {principal.role.value} may not do this",
                "authorization",
            )
        return principal

    return check
