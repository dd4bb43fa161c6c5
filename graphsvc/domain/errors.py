"""Errors a user can read: each carries a Japanese and an English message and says where the problem is."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ConflictError",
    "DomainValidationError",
    "EndpointMissingError",
    "NodeHasRelationshipsError",
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
    """Base error: a list of problems; ``str()`` gives them one per line, Japanese first."""

    problems: list[Problem] = field(default_factory=list)

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
    pass


class ConflictError(TsunagariError):
    pass


class EndpointMissingError(TsunagariError):
    """A relationship names a node that exists neither in the store nor in the same batch."""


class NodeHasRelationshipsError(ConflictError):
    """A plain delete of a node that still has relationships (use a detach delete)."""


class StoreUnavailableError(TsunagariError):
    """The store cannot be reached; retry later."""
