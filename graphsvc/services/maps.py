"""The resource map (folium HTML, every asset inlined when offline; households only in aggregate) for the roles
that may see it. The API's ``/maps/resources`` and the map page both call it."""

from __future__ import annotations

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import MAP_ROLES, require_role
from graphsvc.services.base import UseCase

__all__ = ["MapService"]


class MapService(UseCase):
    def check(self, ctx: AccessContext) -> None:
        """The roles that may see the map."""
        require_role(ctx.principal, *MAP_ROLES)

    def resource_map(self, ctx: AccessContext, *, offline: bool = True) -> str:
        self.check(ctx)
        from graphsvc.maps import build_map, render_map

        return render_map(build_map(self.store, offline=offline))
