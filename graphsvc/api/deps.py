"""FastAPI dependencies (``Annotated`` aliases used by the routes): the container, the caller, the purpose,
and the town every ``/v1/towns/{town}/...`` handler works in (opened by :func:`graphsvc.services.town.open_town`,
as the staff pages open it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import require_role
from graphsvc.access.principals import Principal, Role
from graphsvc.access.ratelimit import TokenBuckets
from graphsvc.access.system import SystemDB
from graphsvc.api.errors import ApiError
from graphsvc.bootstrap import Container
from graphsvc.domain.consent import Purpose, parse_purpose
from graphsvc.domain.ids import TOWN_PATTERN
from graphsvc.services.town import Town, open_town
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

_ALIASES = ("participation", "support_meeting", "outreach", "administration")
HEADER_PURPOSES = (
    *_ALIASES,
    *(quote(p.value) for p in Purpose),
    *(quote(p.value).lower() for p in Purpose),
)
"""The spellings of a purpose in the ``X-Purpose`` header (ASCII: the Japanese names percent-encoded)."""
QUERY_PURPOSES = (*_ALIASES, *(p.value for p in Purpose))
"""The spellings of a purpose in the ``purpose`` query parameter."""

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
            description="利用目的: participation / support_meeting / outreach / administration、または 参加支援 / "
            "支援会議 / アウトリーチ / 事務 を percent-encode したもの (a header carries ASCII only)",
            json_schema_extra={"enum": list(HEADER_PURPOSES)},
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        Query(
            description="利用目的 (X-Purpose の代わり、両方あればヘッダーが優先 / instead of the header, which wins "
            "when both are given): participation / support_meeting / outreach / administration / 参加支援 / 支援会議 / "
            "アウトリーチ / 事務",
            json_schema_extra={"enum": list(QUERY_PURPOSES)},
        ),
    ] = None,
) -> Purpose | None:
    """The purpose of the request: the header, else the query parameter; each given must be one of its documented
    spellings (422 naming it otherwise)."""
    given = [
        _purpose(field, raw, allowed)
        for field, raw, allowed in (
            ("X-Purpose", x_purpose, HEADER_PURPOSES),
            ("purpose", purpose, QUERY_PURPOSES),
        )
        if raw is not None
    ]
    return given[0] if given else None


def _purpose(field: str, raw: str, allowed: tuple[str, ...]) -> Purpose:
    parsed = parse_purpose(raw) if raw in allowed else None
    if parsed is None:
        raise ApiError.of(
            422,
            "利用目的は 参加支援・支援会議・アウトリーチ・事務 (participation, support_meeting, outreach, "
            "administration) のいずれかです",
            "purpose must be one of participation, support_meeting, outreach, administration",
            field,
            value=raw[:80],
        )
    return parsed


PurposeDep = Annotated[Purpose | None, Depends(get_purpose)]


@dataclass(frozen=True)
class TownCtx:
    """What a town-scoped handler works with: the opened :class:`Town` (access context, store, system DB and
    the use cases) and the container."""

    t: Town
    container: Container

    @property
    def ctx(self) -> AccessContext:
        return self.t.ctx

    @property
    def town(self) -> str:
        return self.t.ctx.town

    @property
    def store(self) -> GraphStore:
        return self.t.store

    @property
    def role(self) -> Role:
        return self.t.ctx.role


def get_town(
    town: Annotated[str, Path(description="町 (town id)", examples=["toba"], pattern=TOWN_PATTERN)],
    principal: PrincipalDep,
    purpose: PurposeDep,
    container: ContainerDep,
) -> TownCtx:
    return TownCtx(open_town(container, principal, purpose, town), container)


TownDep = Annotated[TownCtx, Depends(get_town)]


def require(*roles: Role) -> Callable[[PrincipalDep], Principal]:
    """A dependency that lets only these roles through (403 otherwise), checked before the body is read; the
    use case checks the same rule again (:func:`graphsvc.access.policy.require_role`)."""

    def check(principal: PrincipalDep) -> Principal:
        require_role(principal, *roles)
        return principal

    return check
