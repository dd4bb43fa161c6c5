"""Paging of the list pages: ``?page=`` (1-based) and ``?per_page=`` (bounded), the links 前へ / 次へ that keep the
page's filters, and "N件中 a–b件".

A page value that is not a whole number, or beyond the last page, is a :class:`DomainValidationError` (422) with a Japanese
message, shown as an error page like every other refusal (never a 500).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from fastapi import Request

from graphsvc.domain.errors import DomainValidationError

__all__ = ["MAX_PER_PAGE", "PER_PAGE_CHOICES", "Pager", "Paging"]

T = TypeVar("T")
MAX_PER_PAGE = 200
PER_PAGE_CHOICES = (20, 50, 100, 200)
_WHOLE = re.compile(r"[0-9]{1,9}")


def _whole(request: Request, name: str, default: int, hi: int, what_ja: str) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    if not _WHOLE.fullmatch(raw) or not 1 <= int(raw) <= hi:
        raise DomainValidationError.one(
            f"{what_ja} ({name}) は 1〜{hi:,} の整数で指定してください (指定: 「{raw[:20]}」)",
            f"{name} must be a whole number from 1 to {hi}",
            field=name,
            value=raw[:20],
        )
    return int(raw)


@dataclass(frozen=True)
class Paging:
    """The requested page and page size of one list (read from the query, checked before anything is read)."""

    page: int
    per_page: int
    page_param: str = "page"
    default_per_page: int = 50

    @classmethod
    def of(cls, request: Request, *, page_param: str = "page", default_per_page: int = 50) -> Paging:
        per_page = _whole(request, "per_page", default_per_page, MAX_PER_PAGE, "1ページの件数")
        page = _whole(request, page_param, 1, 10_000_000, "ページ番号")
        return cls(page, per_page, page_param, default_per_page)

    def window(
        self,
        request: Request,
        total: int,
        *,
        filters: Mapping[str, str] | None = None,
        page_params: Sequence[str] = ("page",),
        anchor: str = "",
    ) -> Pager:
        """The page of ``total`` items; 422 when the page is past the last one. ``filters`` are kept in every
        link; ``page_params`` are every pager's page parameter on the page (kept, reset when the size changes)."""
        pages = max(1, -(-total // self.per_page))
        if self.page > pages:
            raise DomainValidationError.one(
                f"{self.page}ページ目はありません。全{total:,}件、{pages:,}ページです"
                f" (1ページ{self.per_page}件)。1〜{pages:,} を指定してください",
                f"page {self.page} is past the last page ({pages})",
                field=self.page_param,
                value=str(self.page),
            )
        keep = {k: v for k, v in (filters or {}).items() if v}
        others = {
            p: v
            for p in page_params
            if p != self.page_param and (v := request.query_params.get(p, "").strip())
        }
        return Pager(
            path=request.url.path,
            filters=tuple(keep.items()),
            others=tuple(others.items()),
            page_param=self.page_param,
            page=self.page,
            per_page=self.per_page,
            total=total,
            default_per_page=self.default_per_page,
            anchor=anchor,
        )


@dataclass(frozen=True)
class Pager:
    """One list's page: the slice to show and the links (each keeps the filters and the other lists' pages)."""

    path: str
    filters: tuple[tuple[str, str], ...]
    others: tuple[tuple[str, str], ...]
    page_param: str
    page: int
    per_page: int
    total: int
    default_per_page: int = 50
    anchor: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        """The 1-based number of the first item shown (0 when there is none)."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)

    def slice(self, items: Sequence[T]) -> list[T]:
        return list(items[self.offset : self.offset + self.per_page])

    def _url(self, params: Sequence[tuple[str, str]]) -> str:
        query = urlencode(list(params))
        return self.path + (f"?{query}" if query else "") + (f"#{self.anchor}" if self.anchor else "")

    def url(self, page: int) -> str:
        params = [*self.filters]
        if self.per_page != self.default_per_page:
            params.append(("per_page", str(self.per_page)))
        params.extend(self.others)
        if page > 1:
            params.append((self.page_param, str(page)))
        return self._url(params)

    @property
    def prev_url(self) -> str | None:
        return self.url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page + 1) if self.page < self.pages else None

    @property
    def per_page_links(self) -> list[tuple[int, str]]:
        """Each page size and its link (back to the first page of every list: the old pages no longer fit)."""
        return [(n, self._url([*self.filters, ("per_page", str(n))])) for n in PER_PAGE_CHOICES]
