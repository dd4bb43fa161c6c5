"""The application: the v1 API (:mod:`graphsvc.api`) and the staff pages (:mod:`graphsvc.web`) mounted side by
side on one FastAPI app, so neither front door imports the other. ``create_app(container)`` wires the lifespan
(the container from :mod:`graphsvc.bootstrap`), the per-key rate limit both share, the body-size and CORS
middleware. ``tsunagari serve`` and the Docker image run ``graphsvc.app:app``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from graphsvc import __version__
from graphsvc.access.ratelimit import TokenBuckets
from graphsvc.api import mount as api
from graphsvc.api.errors import BodySizeLimit
from graphsvc.bootstrap import Container, build
from graphsvc.settings import Settings
from graphsvc.web import install as install_web

__all__ = ["app", "create_app"]


def create_app(container: Container | None = None, settings: Settings | None = None) -> FastAPI:
    s = settings or (container.settings if container is not None else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.container = container or build(s)
        try:
            yield
        finally:
            app.state.container.close()

    app = FastAPI(
        title="tsunagari",
        version=__version__,
        description=api.DESCRIPTION,
        openapi_tags=api.TAGS,
        lifespan=lifespan,
    )
    app.state.buckets = TokenBuckets(s.api_rate_per_second, s.api_rate_burst)
    if container is not None:
        app.state.container = container
    api.install(app)  # /healthz, /v1/... (graphsvc.api)
    install_web(app)  # staff pages under /app/ (graphsvc.web)
    if s.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=s.api_cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Purpose"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=s.api_max_body_bytes)
    logging.getLogger("tsunagari.api").setLevel(logging.INFO)
    return app


app = create_app()
