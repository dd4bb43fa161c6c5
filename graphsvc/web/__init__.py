"""Staff web pages (``/app/``): Jinja2 templates over the same use cases (:mod:`graphsvc.services`), policy,
consent and audit (:mod:`graphsvc.access`) as the API; the pages never import the API, nor the API the pages.

``install(app)`` adds the pages (:mod:`graphsvc.web.pages`) and their static files (``/app/static``, served
locally) to the application :mod:`graphsvc.app` builds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Mount the pages and the static files, and close the session store when the app stops."""
    from graphsvc.web.pages import router

    app.include_router(router)
    static = resources.files("graphsvc.web") / "static"
    app.mount("/app/static", StaticFiles(directory=str(static)), name="web-static")
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            try:
                yield state
            finally:
                st = getattr(a.state, "web_sessions", None)
                if st is not None:
                    st.close()
                    a.state.web_sessions = None

    app.router.lifespan_context = lifespan
