"""The kinds of record the service reads and writes, as access sees them: the resource name (``persons``), the
node label and record, whether it is personal data, and the fields a role may not see without consent."""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.records import (
    Agency,
    Area,
    Case,
    Employer,
    Household,
    Job,
    NodeRecord,
    Opportunity,
    Person,
    Supporter,
    Venue,
)

__all__ = ["KINDS", "TIE_KIND", "RecordKind", "kind_of"]

TIE_KIND = "ties"
"""The kind of relationships (ties) in ownership and audit entries."""


@dataclass(frozen=True)
class RecordKind:
    """A kind of node record: its resource name, label, record class, whether it is personal, its name in
    Japanese."""

    path: str
    label: NodeLabel
    record: type[NodeRecord]
    personal: bool

    @property
    def ja(self) -> str:
        return self.label.ja


KINDS: dict[str, RecordKind] = {
    k.path: k
    for k in (
        RecordKind("persons", NodeLabel.PERSON, Person, True),
        RecordKind("households", NodeLabel.HOUSEHOLD, Household, True),
        RecordKind("cases", NodeLabel.CASE, Case, True),
        RecordKind("supporters", NodeLabel.SUPPORTER, Supporter, True),
        RecordKind("agencies", NodeLabel.AGENCY, Agency, False),
        RecordKind("venues", NodeLabel.VENUE, Venue, False),
        RecordKind("employers", NodeLabel.EMPLOYER, Employer, False),
        RecordKind("opportunities", NodeLabel.OPPORTUNITY, Opportunity, False),
        RecordKind("areas", NodeLabel.AREA, Area, False),
        RecordKind("jobs", NodeLabel.JOB, Job, False),
    )
}


def kind_of(label: NodeLabel) -> RecordKind:
    """The kind of a node label."""
    return next(k for k in KINDS.values() if k.label is label)
