"""API schemas, apart from the domain records: ``XCreate`` (a record minus its id: the body of a PUT) and
``XPublic`` (what a GET returns) for every kind, and the bodies of the service endpoints."""

from graphsvc.api.schemas.records import KINDS, Kind, kind_of
from graphsvc.api.schemas.services import (
    AssignRequest,
    AssignResponse,
    BulkResult,
    ConsentGrantIn,
    ConsentGrantOut,
    DeleteResultOut,
    KeyCreate,
    KeyCreated,
    KeyOut,
    MatchRequest,
    Page,
    PlacementOut,
    ProposeRequest,
    TieDelete,
    TieIn,
    TieOut,
    TransitionRequest,
    UpsertResult,
)

__all__ = [
    "KINDS",
    "AssignRequest",
    "AssignResponse",
    "BulkResult",
    "ConsentGrantIn",
    "ConsentGrantOut",
    "DeleteResultOut",
    "KeyCreate",
    "KeyCreated",
    "KeyOut",
    "Kind",
    "MatchRequest",
    "Page",
    "PlacementOut",
    "ProposeRequest",
    "TieDelete",
    "TieIn",
    "TieOut",
    "TransitionRequest",
    "UpsertResult",
    "kind_of",
]
