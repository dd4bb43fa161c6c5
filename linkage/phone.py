"""Telephone numbers: digits only, +81 → 0, with or without the 市外局番, and the phone comparator.

>>> p = normalise_phone("(0599)25-1234")
>>> (p.digits, p.local, p.kind)
('0599251234', '251234', 'landline')
>>> compare_phones(p, normalise_phone("25-1234"))
<PhoneLevel.LOCAL_NUMBER: 'local_number'>
>>> normalise_phone("+81 90-1234-5678").digits
'09012345678'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from linkage.text import nfkc

__all__ = ["LOCAL_DIGITS", "Phone", "PhoneLevel", "compare_phones", "normalise_phone"]

LOCAL_DIGITS = 6
"""Digits compared when one side was written without its 市外局番 (a local number is 5–8 digits; the last six
are the 市内局番 and 加入者番号 in most of the country)."""


@dataclass(frozen=True, slots=True)
class Phone:
    """``digits``: the whole number (10 or 11 digits, leading 0) or the local number as written;
    ``local``: its last :data:`LOCAL_DIGITS` digits; ``kind``: mobile, ip, freephone, landline or local."""

    digits: str | None = None
    local: str | None = None
    kind: str | None = None

    @property
    def missing(self) -> bool:
        return self.digits is None

    @property
    def full(self) -> str | None:
        """The whole number, ``None`` when it was written without its 市外局番."""
        return self.digits if self.kind != "local" else None


_EXT = re.compile(r"(?:内線|内|ext\.?|x)\s*\d+$", re.IGNORECASE)


_SEVERAL = re.compile(r"[/／,，、;；]|または|又は|\s{2,}")


def normalise_phone(text: str | None) -> Phone:
    """Digits of a phone number in any writing (全角, hyphens, parentheses, spaces, +81, 内線 dropped); of
    several numbers in one cell (自宅 0599-25-1234 / 携帯 090-…), the first. Fewer than 5 or more than 11
    digits is not a phone number (``missing``)."""
    if text is None:
        return Phone()
    parts = [p for p in _SEVERAL.split(str(text)) if re.search(r"\d", p)]
    if len(parts) > 1:
        for part in parts:
            ph = normalise_phone(part)
            if not ph.missing:
                return ph
        return Phone()
    s = _EXT.sub("", nfkc(str(text)).strip())
    digits = re.sub(r"\D", "", s)
    if s.startswith("+81") or (digits.startswith("81") and len(digits) in (11, 12)):
        digits = "0" + digits[2:].lstrip("0")
    if not 5 <= len(digits) <= 11:
        return Phone()
    if digits.startswith("0"):
        if len(digits) == 11 and digits[:3] in ("070", "080", "090", "060"):
            kind = "mobile"
        elif digits.startswith("050"):
            kind = "ip"
        elif digits.startswith(("0120", "0800")):
            kind = "freephone"
        elif len(digits) == 10:
            kind = "landline"
        else:
            return Phone()
    else:
        if len(digits) > 8:
            return Phone()
        kind = "local"
    return Phone(digits=digits, local=digits[-LOCAL_DIGITS:], kind=kind)


class PhoneLevel(StrEnum):
    """Phone comparison levels, best first."""

    MISSING = "missing"
    EXACT = "exact"
    LOCAL_NUMBER = "local_number"
    DIFFERENT = "different"


def compare_phones(a: Phone, b: Phone) -> PhoneLevel:
    """Exact, the same local number when one side lacks its 市外局番, or different."""
    if a.missing or b.missing:
        return PhoneLevel.MISSING
    if a.digits == b.digits:
        return PhoneLevel.EXACT
    if (a.kind == "local" or b.kind == "local") and a.local == b.local:
        return PhoneLevel.LOCAL_NUMBER
    return PhoneLevel.DIFFERENT
