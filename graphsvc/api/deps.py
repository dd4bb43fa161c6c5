"""FastAPI dependencies (``Annotated`` aliases used by the routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graphsvc.bootstrap import Container

__all__ = ["ContainerDep", "get_container"]


def get_container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(get_container)]
