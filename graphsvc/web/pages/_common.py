"""Small helpers the page modules share: path parameters, redirects, the sub-routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import RedirectResponse

from graphsvc.domain.ids import RECORD_ID_PATTERN
from graphsvc.web.core import SECURITY_HEADERS, WebRoute

__all__ = ["Id", "local", "see_other", "sub_router"]

Id = Annotated[str, Path(pattern=RECORD_ID_PATTERN)]


def sub_router() -> APIRouter:
    """A page module's router (mounted under ``/app`` by :mod:`graphsvc.web.pages`)."""
    return APIRouter(route_class=WebRoute)


def local(next_url: str | None, default: str = "/app/") -> str:
    """Only same-site paths under /app/ (no open redirect)."""
    if next_url and next_url.startswith("/app/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return default


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)
