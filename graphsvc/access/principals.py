"""Who is calling: roles and the principal an API key (or the local operator) stands for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from graphsvc.domain.consent import ALL

__all__ = ["ALL", "Principal", "Role"]


class Role(StrEnum):
    COORDINATOR = "coordinator"
    MULTIAGENCY = "multiagency"
    COMMUNITY = "community"
    CASE_SYSTEM = "case_system"
    ADMIN = "admin"

    @property
    def ja(self) -> str:
        return {
            "coordinator": "参加支援コーディネーター",
            "multiagency": "多機関協働・支援会議",
            "community": "地域づくり",
            "case_system": "ケース管理システム",
            "admin": "管理者",
        }[self.value]


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key's identity, role and scope (towns; a coordinator's persons; a case system's
    system id)."""

    key_id: str
    name: str
    role: Role
    towns: tuple[str, ...] = (ALL,)
    persons: tuple[str, ...] = ()
    system_id: str | None = None

    def can_town(self, town: str) -> bool:
        return ALL in self.towns or town in self.towns

    @property
    def all_towns(self) -> bool:
        return ALL in self.towns

    def covers_towns(self, towns: Iterable[str]) -> bool:
        """Whether every one of ``towns`` is within this principal's own (``*`` only for an all-towns one).

        >>> p = Principal("k", "n", Role.ADMIN, towns=("toba",))
        >>> p.covers_towns(["toba"]), p.covers_towns(["toba", "shima"]), p.covers_towns(["*"])
        (True, False, False)
        """
        if self.all_towns:
            return True
        wanted = list(towns)
        return bool(wanted) and ALL not in wanted and all(t in self.towns for t in wanted)

    @property
    def all_persons(self) -> bool:
        return ALL in self.persons

    def assigned(self, person_id: str) -> bool:
        return self.all_persons or person_id in self.persons

    @property
    def owner_id(self) -> str:
        """The id a case system's records are tagged with (its system id, else its key id)."""
        return self.system_id or self.key_id

    @property
    def who(self) -> str:
        return f"{self.name} ({self.key_id})"
