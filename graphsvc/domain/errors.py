"""Errors a user can read: each carries a Japanese and an English message and says where the problem is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

__all__ = [
    "AccessDenied",
    "ConflictError",
    "ConsentRequired",
    "DomainValidationError",
    "EndpointMissingError",
    "NodeHasRelationshipsError",
    "NotFound",
    "NotFoundError",
    "Problem",
    "StoreUnavailableError",
    "TsunagariError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as known (file, row, column or field)."""

    message_ja: str
    message_en: str
    field: str | None = None
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"{self.row}行目")
        if self.column:
            parts.append(f"列「{self.column}」")
        elif self.field:
            parts.append(f"項目「{self.field}」")
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.message_ja} ({self.message_en})"

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class TsunagariError(Exception):
    """Base error: a list of problems; ``str()`` gives them one per line, Japanese first.

    ``http_status`` is the status both front doors answer with (the API as a JSON problem list, the staff pages
    as an error page), so the mapping is written once, with the error."""

    problems: list[Problem] = field(default_factory=list)
    http_status: ClassVar[int] = 422

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def one(cls, message_ja: str, message_en: str, **where: object) -> TsunagariError:
        return cls([Problem(message_ja, message_en, **where)])  # type: ignore[arg-type]


class DomainValidationError(TsunagariError):
    """A record or an input file is invalid; nothing was written."""


class NotFoundError(TsunagariError):
    """The record (or the town, the grant, the key) does not exist, or the caller may not know it does."""

    http_status: ClassVar[int] = 404


NotFound = NotFoundError
"""The access layer's name for :class:`NotFoundError` (one class: a front door maps it to 404)."""


class AccessDenied(TsunagariError):
    """The caller's role, town scope or purpose does not allow this (a front door maps it to 403)."""

    http_status: ClassVar[int] = 403


class ConsentRequired(AccessDenied):
    """The person's consent (本人同意) does not cover this purpose or this recipient (403)."""


class ConflictError(TsunagariError):
    """The write conflicts with what is stored (another system's record, a forbidden transition, …)."""

    http_status: ClassVar[int] = 409


class EndpointMissingError(TsunagariError):
    """A relationship names a node that exists neither in the store nor in the same batch."""

    http_status: ClassVar[int] = 409


class NodeHasRelationshipsError(ConflictError):
    """A plain delete of a node that still has relationships (use a detach delete)."""


class StoreUnavailableError(TsunagariError):
    """The store cannot be reached; retry later."""

    http_status: ClassVar[int] = 503
