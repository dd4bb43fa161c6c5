"""The staff pages under ``/app/``, one module per area: :mod:`.auth` (sign-in, sign-out, purpose, home),
:mod:`.persons` (参加支援: find a person, the person page, profile, consent, proposals), :mod:`.placements`
(follow-up), :mod:`.maps` (地域資源マップ), :mod:`.gaps` (ギャップレポート, households, agency pairs) and
:mod:`.resources` (資源の登録・編集・削除) and :mod:`.linkage` (名寄せの確認).

Every handler opens its page with the one dependency :func:`graphsvc.web.core.opening` (session, CSRF, town,
role), calls the same use case the API calls (:mod:`graphsvc.services`: the checks and the audit entries are
there) and renders a template.
"""

from __future__ import annotations

from fastapi import APIRouter

from graphsvc.web.core import WebRoute
from graphsvc.web.pages import auth, development, gaps, linkage, maps, persons, placements, resources

__all__ = ["router"]

router = APIRouter(prefix="/app", route_class=WebRoute, include_in_schema=False)
for _module in (auth, persons, placements, maps, gaps, resources, linkage, development):
    router.include_router(_module.router)
