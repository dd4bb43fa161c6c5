"""Identifier value types: a town's name and a record's external id, with the one pattern for each."""

from __future__ import annotations

import re
from typing import NewType

from graphsvc.domain.errors import DomainValidationError, Problem

__all__ = [
    "RECORD_ID_PATTERN",
    "TOWN_PATTERN",
    "RecordId",
    "TownId",
    "check_record_id",
    "check_town_name",
    "is_record_id",
    "is_town_name",
]

TOWN_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
"""A town's name: what names its store (a file name, a Neo4j property value) and appears in every URL."""
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"
"""A record's stable external id: the key that case systems send (every write is an upsert on it)."""

TownId = NewType("TownId", str)
RecordId = NewType("RecordId", str)

_TOWN_RE = re.compile(TOWN_PATTERN)
_RECORD_RE = re.compile(RECORD_ID_PATTERN)


def is_town_name(value: str) -> bool:
    """Whether ``value`` is a valid town name.

    >>> is_town_name("toba"), is_town_name("Toba"), is_town_name("../x")
    (True, False, False)
    """
    return bool(_TOWN_RE.match(value))


def is_record_id(value: str) -> bool:
    """Whether ``value`` is a valid external record id.

    >>> is_record_id("toba-P0001-1"), is_record_id("a b"), is_record_id("")
    (True, False, False)
    """
    return bool(_RECORD_RE.match(value))


def check_town_name(town: str) -> TownId:
    """``town`` as a :data:`TownId`, or a bilingual validation error."""
    if not is_town_name(town):
        raise DomainValidationError(
            [
                Problem(
                    f"町の名前「{town}」は英小文字・数字・_・- で指定してください",
                    f"town name {town!r} must be lowercase letters, digits, _ or -",
                    field="town",
                )
            ]
        )
    return TownId(town)


def check_record_id(value: str, *, field: str = "id") -> RecordId:
    """``value`` as a :data:`RecordId`, or a bilingual validation error naming ``field``."""
    if not is_record_id(value):
        raise DomainValidationError(
            [
                Problem(
                    f"ID「{value}」は英数字で始まり、英数字・_ . : - の 128 文字以内で指定してください",
                    f"id {value!r} must start with a letter or digit and use letters, digits, _ . : - "
                    "(at most 128 characters)",
                    field=field,
                )
            ]
        )
    return RecordId(value)
