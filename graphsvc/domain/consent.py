"""本人同意 (consent): one concept for the whole service.

A person agrees that their information is shared **for some purposes** (利用目的: :class:`Purpose`) **with some
recipients** (a :class:`ConsentScope`: any host, named hosts or agencies, kinds of host, kinds of placement)
**for a period**. :class:`ConsentGrant` is one such recorded agreement; the access layer keeps them in the
system database (``graphsvc.access.consent.ConsentRegister``), and the matching library reads the same
:class:`ConsentScope` from a participation profile (``matching.records.Profile.consent``). Inside the service
the register is the record: :func:`scope_for` turns a person's grants into the scope matching uses, so the
placements offered and the proposals allowed follow one consent.

Before any consent only the 支援会議 scope applies (Social Welfare Act art. 106-6): members of a support meeting,
bound to confidentiality, may see a case without consent (names withheld unless a grant covers 支援会議).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Literal
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graphsvc.domain.enums import OpportunityKind
from graphsvc.domain.values import ExternalId

__all__ = [
    "ALL",
    "PURPOSE_ALIASES",
    "ConsentGrant",
    "ConsentScope",
    "HostKind",
    "Purpose",
    "parse_purpose",
    "scope_for",
]

ALL = "*"
"""The wildcard of a grant's purposes and recipients (and of a key's towns and persons): every one."""

HostKind = Literal["Employer", "Venue", "Agency"]


class Purpose(StrEnum):
    """利用目的 (the purpose of a read of personal data)."""

    PARTICIPATION = "参加支援"
    SUPPORT_MEETING = "支援会議"
    OUTREACH = "アウトリーチ"
    ADMINISTRATION = "事務"


PURPOSE_ALIASES: dict[str, Purpose] = {
    "participation": Purpose.PARTICIPATION,
    "support_meeting": Purpose.SUPPORT_MEETING,
    "outreach": Purpose.OUTREACH,
    "administration": Purpose.ADMINISTRATION,
    **{p.value: p for p in Purpose},
}


def parse_purpose(raw: str | None) -> Purpose | None:
    """A purpose from a header, form or query value: Japanese (percent-encoded in headers) or its ASCII alias.

    >>> parse_purpose("participation"), parse_purpose("%E6%94%AF%E6%8F%B4%E4%BC%9A%E8%AD%B0"), parse_purpose("x")
    (<Purpose.PARTICIPATION: '参加支援'>, <Purpose.SUPPORT_MEETING: '支援会議'>, None)
    """
    if raw is None or not raw.strip():
        return None
    text = unquote(raw.strip())
    return PURPOSE_ALIASES.get(text) or PURPOSE_ALIASES.get(text.lower())


def _parse_kind(v: object) -> object:
    if isinstance(v, str) and v not in {k.value for k in OpportunityKind}:
        try:
            return OpportunityKind.parse(v)
        except ValueError:
            return v
    return v


class ConsentScope(BaseModel):
    """本人同意の範囲: 情報提供に同意した受け入れ先・種別. 既定は「同意なし」: 何も候補に残らない."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    all_hosts: bool = Field(default=False, description="すべての受け入れ先への情報提供に同意")
    host_ids: list[ExternalId] = Field(default_factory=list, description="同意した受け入れ先のID")
    host_kinds: list[HostKind] = Field(
        default_factory=list,
        description="同意した受け入れ先の種類 (Employer 企業・事業所, Venue 居場所, Agency 機関)",
    )
    opportunity_kinds: list[OpportunityKind] = Field(
        default_factory=list, description="同意した参加メニューの種別"
    )

    @field_validator("opportunity_kinds", mode="before")
    @classmethod
    def _kinds(cls, v: object) -> object:
        return [_parse_kind(x) for x in v] if isinstance(v, list) else v

    def allows(self, host_id: str | None, host_label: str | None, kind: OpportunityKind) -> bool:
        """Whether information may go to this host (or to a placement of this kind)."""
        return (
            self.all_hosts
            or (host_id is not None and host_id in self.host_ids)
            or (host_label is not None and host_label in self.host_kinds)
            or kind in self.opportunity_kinds
        )

    def allows_recipient(self, recipient: str | None) -> bool:
        """Whether information may go to this recipient id (None: no particular recipient)."""
        return recipient is None or self.all_hosts or recipient in self.host_ids

    @classmethod
    def of_recipients(cls, recipients: Iterable[str]) -> ConsentScope:
        """The scope of a grant's recipients: ``*`` for any, else the ids named.

        >>> ConsentScope.of_recipients(["*"]).all_hosts, ConsentScope.of_recipients(["E-01"]).host_ids
        (True, ['E-01'])
        """
        ids = sorted(set(recipients))
        if ALL in ids:
            return cls(all_hosts=True)
        return cls(host_ids=ids)

    def union(self, other: ConsentScope) -> ConsentScope:
        """What either scope allows."""
        return ConsentScope(
            all_hosts=self.all_hosts or other.all_hosts,
            host_ids=sorted({*self.host_ids, *other.host_ids}),
            host_kinds=sorted({*self.host_kinds, *other.host_kinds}),
            opportunity_kinds=sorted({*self.opportunity_kinds, *other.opportunity_kinds}),
        )


@dataclass(frozen=True)
class ConsentGrant:
    """One recorded consent: purposes, recipients (ids or ``*``), valid from/until (inclusive), who recorded it,
    and when it was withdrawn (a withdrawn grant stays on record)."""

    grant_id: str
    town: str
    person_id: str
    purposes: list[str]
    recipients: list[str]
    valid_from: str
    valid_until: str | None
    recorded_by: str
    recorded_at: str
    withdrawn_at: str | None = None
    note: str | None = None

    def active(self, on: date) -> bool:
        if self.withdrawn_at is not None:
            return False
        if date.fromisoformat(self.valid_from) > on:
            return False
        return self.valid_until is None or date.fromisoformat(self.valid_until) >= on

    def for_purpose(self, purpose: Purpose | str | None) -> bool:
        return purpose is None or ALL in self.purposes or str(purpose) in self.purposes

    @property
    def scope(self) -> ConsentScope:
        """The recipients as a :class:`ConsentScope` (what the matching library reads)."""
        return ConsentScope.of_recipients(self.recipients)

    def covers(self, purpose: Purpose | str | None, recipient: str | None, on: date) -> bool:
        """Active on that day, for that purpose (None: any), and to that recipient (None: any)."""
        return self.active(on) and self.for_purpose(purpose) and self.scope.allows_recipient(recipient)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def scope_for(grants: Iterable[ConsentGrant], purpose: Purpose | str | None, on: date) -> ConsentScope:
    """The recipients a person's grants allow for a purpose on a day (no active grant: nobody).

    >>> g = ConsentGrant("g1", "toba", "P-1", ["参加支援"], ["E-01"], "2024-01-01", None, "t", "t")
    >>> scope_for([g], Purpose.PARTICIPATION, date(2024, 5, 1)).host_ids
    ['E-01']
    >>> scope_for([g], Purpose.OUTREACH, date(2024, 5, 1)).allows("E-01", "Employer", OpportunityKind.PETIT_WORK)
    False
    """
    out = ConsentScope()
    for g in grants:
        if g.active(on) and g.for_purpose(purpose):
            out = out.union(g.scope)
    return out
