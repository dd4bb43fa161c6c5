"""Birth dates: every way Japanese lists write them, and the date comparator with its known error levels.

>>> parse_date("昭和25年3月4日")
BirthDate(year=1950, month=3, day=4)
>>> parse_date("S25.3.4") == parse_date("1950/03/04") == parse_date("19500304") == parse_date("１９５０年３月４日")
True
>>> parse_date("平成元年1月8日")
BirthDate(year=1989, month=1, day=8)
>>> compare_dates(parse_date("1950-03-04"), parse_date("1950-04-03"))
<DateLevel.DAY_MONTH_SWAP: 'day_month_swap'>
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import DamerauLevenshtein

from linkage.text import KANJI_NUMERAL, kanji_to_int, nfkc

__all__ = [
    "ERAS",
    "BirthDate",
    "DateLevel",
    "DateParseError",
    "birth_year_from_age",
    "compare_dates",
    "parse_date",
]


@dataclass(frozen=True, slots=True)
class Era:
    name: str
    letter: str
    start: dt.date
    end: dt.date | None

    def to_year(self, era_year: int) -> int:
        return self.start.year + era_year - 1


ERAS: tuple[Era, ...] = (
    Era("明治", "M", dt.date(1868, 1, 25), dt.date(1912, 7, 29)),
    Era("大正", "T", dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    Era("昭和", "S", dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    Era("平成", "H", dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    Era("令和", "R", dt.date(2019, 5, 1), None),
)
"""The 元号 since 明治 (明治's start is its 改暦 year 1868 for year arithmetic)."""

_ERA_BY_KEY: dict[str, Era] = {}
for _e in ERAS:
    _ERA_BY_KEY[_e.name] = _e
    _ERA_BY_KEY[_e.name[0]] = _e
    _ERA_BY_KEY[_e.letter] = _e
    _ERA_BY_KEY[_e.letter.lower()] = _e


class DateParseError(ValueError):
    """A date that cannot be read, or is impossible; ``message_ja`` says why in Japanese."""

    def __init__(self, text: str, message_ja: str, message_en: str):
        super().__init__(f"{message_en}: {text!r}")
        self.text = text
        self.message_ja = message_ja
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A birth date, possibly partial (``month``/``day`` ``None``)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    @property
    def digits(self) -> str | None:
        """YYYYMMDD for a full date."""
        if self.month is None or self.day is None:
            return None
        return f"{self.year:04d}{self.month:02d}{self.day:02d}"

    def iso(self) -> str | None:
        d = self.digits
        return f"{d[:4]}-{d[4:6]}-{d[6:]}" if d else None


_ERA_NAMES = "|".join(sorted({k for k in _ERA_BY_KEY}, key=len, reverse=True))
_ERA_RE = re.compile(
    rf"^(?P<era>{_ERA_NAMES})\.?\s*(?P<y>\d{{1,2}}|元)\s*(?:年|[./\-]|\s)?\s*"
    rf"(?:(?P<m>\d{{1,2}})\s*(?:月|[./\-]|\s)?\s*(?:(?P<d>\d{{1,2}})\s*日?)?)?\s*(?:生|生まれ)?$"
)
_WEST_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:(?:年|[./\-]|\s)\s*(?P<m>\d{1,2})\s*(?:(?:月|[./\-]|\s)\s*(?:(?P<d>\d{1,2})\s*日?)?)?)?"
    r"\s*年?\s*(?:生|生まれ)?$"
)
_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_ERA_COMPACT_RE = re.compile(rf"^(?P<era>{_ERA_NAMES})(?P<y>\d{{2}})(?P<m>\d{{2}})(?P<d>\d{{2}})$")
_MDY_RE = re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$")
_KANJI_NUM = re.compile(f"([{KANJI_NUMERAL}]+)(?=[年月日])")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_PAREN = re.compile(r"[(（][^)）]*[)）]")
_TIME_TAIL = re.compile(r"[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


def _build(text: str, y: int, m: str | None, d: str | None, today: dt.date) -> BirthDate:
    month = int(m) if m else None
    day = int(d) if d else None
    if month is not None and not 1 <= month <= 12:
        raise DateParseError(text, f"月が不正です（{month}月）", f"impossible month {month}")
    if day is not None:
        if month is None:
            raise DateParseError(text, "日だけがあり月がありません", "day without month")
        try:
            dt.date(y, month, day)
        except ValueError:
            raise DateParseError(
                text, f"存在しない日付です（{y}年{month}月{day}日）", "no such date"
            ) from None
    if y < 1868 or (y, month or 1, day or 1) > (today.year, today.month, today.day):
        raise DateParseError(text, f"生年月日としてありえない年です（{y}年）", f"impossible birth year {y}")
    return BirthDate(y, month, day)


def parse_date(value: object, *, today: dt.date | None = None) -> BirthDate | None:
    """Read a birth date in any usual Japanese form; ``None`` for an empty cell.

    Accepts 和暦 (昭和25年3月4日, 昭和二十五年三月四日, 昭25.3.4, S25.3.4, s25/3/4, ㍼25年, 元年, S250304), 西暦 (1950/3/4, 1950-03-04,
    1950.3.4, 1950年3月4日, 19500304, a trailing time from a spreadsheet), partial dates (1950年3月, 昭和25年),
    full-width digits, ``date``/``datetime`` objects, a spreadsheet's serial day number (18326) and US order
    3/4/1950. Raises :class:`DateParseError` for
    text that is not a date or an impossible date (2月30日, a future year, 平成40年)."""
    today = today or dt.date.today()
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _build(str(value), value.year, str(value.month), str(value.day), today)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    text = nfkc(str(value))
    if not text or text in {"-", "不明", "未記入", "なし", "無"}:
        return None
    text = _PAREN.sub("", _TIME_TAIL.sub("", text)).strip().rstrip(".。")
    if re.fullmatch(r"\d{5}", text) and 1 <= int(text) <= 60000:  # a spreadsheet serial day number
        d = _EXCEL_EPOCH + dt.timedelta(days=int(text))
        return _build(text, d.year, str(d.month), str(d.day), today)
    text = _KANJI_NUM.sub(lambda m: str(kanji_to_int(m.group(1))), text)
    m = _ERA_RE.match(text) or _ERA_COMPACT_RE.match(text)
    if m:
        era = _ERA_BY_KEY[m.group("era")]
        ey = 1 if m.group("y") == "元" else int(m.group("y"))
        if ey < 1:
            raise DateParseError(text, "元号の年が0です", "era year 0")
        year = era.to_year(ey)
        last = era.end.year if era.end else today.year
        if year > last:
            raise DateParseError(
                text,
                f"{era.name}{ey}年は存在しません（{era.name}は{last - era.start.year + 1}年まで）",
                f"{era.name} has no year {ey}",
            )
        return _build(text, year, m.group("m"), m.group("d"), today)
    for rx in (_COMPACT_RE, _WEST_RE, _MDY_RE):
        m = rx.match(text)
        if m:
            return _build(text, int(m.group("y")), m.group("m"), m.group("d"), today)
    raise DateParseError(text, f"生年月日として読めません（{text}）", "not a date")


def birth_year_from_age(age: object, reference: dt.date) -> BirthDate | None:
    """A year-precision birth date from an age column (82, 82歳, ８２才) at ``reference``.

    The birth year is ``reference.year - age`` (or one less, if the birthday has not come yet): the comparator
    treats a one-year difference of partial dates as compatible."""
    if age is None:
        return None
    text = nfkc(str(age)).removesuffix("歳").removesuffix("才").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= 120:
        raise DateParseError(text, f"年齢として読めません（{text}）", "not an age")
    return BirthDate(reference.year - int(text))


class DateLevel(StrEnum):
    """Birth-date comparison levels, best first (the order of the Splink comparison)."""

    MISSING = "missing"
    EXACT = "exact"
    DAY_MONTH_SWAP = "day_month_swap"
    ERA_YEAR_OFF_BY_ONE = "year_off_by_one"
    ONE_DIGIT = "one_digit"
    PARTIAL_AGREE = "partial_agree"
    PARTIAL_NEAR = "partial_near"
    DIFFERENT = "different"


def compare_dates(a: BirthDate | None, b: BirthDate | None) -> DateLevel:
    """Agreement of two birth dates, with the known error patterns as their own levels.

    Missing is not disagreement: :attr:`DateLevel.MISSING` carries no weight. A day/month swap
    (1950-03-04 / 1950-04-03), a year one off with the same month and day (a 元号 converted with the wrong
    offset), and a single mistyped or transposed digit each have a level of their own. Partial dates
    (a birth year from an age, a year and month) agree at the precision both have."""
    if a is None or b is None:
        return DateLevel.MISSING
    da, db = a.digits, b.digits
    if da and db:
        if da == db:
            return DateLevel.EXACT
        if a.year == b.year and a.month == b.day and a.day == b.month:
            return DateLevel.DAY_MONTH_SWAP
        if abs(a.year - b.year) == 1 and a.month == b.month and a.day == b.day:
            return DateLevel.ERA_YEAR_OFF_BY_ONE
        if DamerauLevenshtein.distance(da, db) <= 1:
            return DateLevel.ONE_DIGIT
        return DateLevel.DIFFERENT
    if a.year == b.year and (a.month is None or b.month is None or a.month == b.month):
        return DateLevel.PARTIAL_AGREE
    if abs(a.year - b.year) <= 1:
        return DateLevel.PARTIAL_NEAR
    return DateLevel.DIFFERENT
