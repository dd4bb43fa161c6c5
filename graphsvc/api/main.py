"""The FastAPI application. Health and aggregate counts only: no endpoint here returns a person or household."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from graphsvc import __version__
from graphsvc.api.deps import ContainerDep
from graphsvc.bootstrap import Container, build
from graphsvc.domain.errors import StoreUnavailableError, TsunagariError

__all__ = ["app", "create_app"]


def create_app(container: Container | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.container = container or build()
        try:
            yield
        finally:
            app.state.container.close()

    app = FastAPI(title="tsunagari", version=__version__, lifespan=lifespan)

    @app.exception_handler(StoreUnavailableError)
    async def _unavailable(_: Request, exc: StoreUnavailableError) -> JSONResponse:
        return JSONResponse(
            status_code=503,
            headers={"Retry-After": "5"},
            content={"detail": [p.as_dict() for p in exc.problems]},
        )

    @app.get("/healthz", summary="稼働確認 (liveness and store reachability)")
    def healthz(container: ContainerDep) -> dict[str, object]:
        towns = container.towns()
        for town in towns:
            container.store(town).ping()
        return {"status": "ok", "store": container.settings.store, "towns": towns}

    @app.get("/v1/towns/{town}/counts", summary="件数の集計 (aggregate counts per kind)")
    def counts(town: str, container: ContainerDep) -> dict[str, object]:
        try:
            if container.settings.store == "embedded" and town not in container.towns():
                raise HTTPException(
                    404, detail={"message_ja": f"町「{town}」はありません", "message_en": f"no town {town!r}"}
                )
            c = container.store(town).counts()
        except TsunagariError as err:
            if isinstance(err, StoreUnavailableError):
                raise
            raise HTTPException(422, detail=[p.as_dict() for p in err.problems]) from None
        return {"town": town, "nodes": c.nodes, "relationships": c.rels}

    return app


app = create_app()
