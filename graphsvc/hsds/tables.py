"""HSDS objects as flat tables (the tabular model), each row with where it was read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphsvc.domain.errors import Problem

__all__ = ["Tables", "Where"]

Where = tuple[str, int | None, str | None]
"""(file, row, JSON pointer) of an object read; ("", None, None) for one built here."""


@dataclass
class Tables:
    """HSDS objects flattened to the tabular model: table → id → row, each row with where it was read (file,
    row, JSON pointer). A second object with the same id must agree with the first on every field."""

    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    origin: dict[tuple[str, str], Where] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, table: str, row: Mapping[str, Any], where: Where = ("", None, None)):
        rid = str(row["id"])
        have = self.rows[table].get(rid)
        if have is None:
            self.rows[table][rid] = dict(row)
            self.origin[(table, rid)] = where
            return
        for k, v in row.items():
            if k not in have:
                have[k] = v
            elif have[k] != v:
                self.problems.append(
                    Problem(
                        f"同じID {rid} の {table} で「{k}」の値が食い違っています",
                        f"{table} {rid} appears twice with different {k!r}",
                        file=where[0] or None,
                        row=where[1],
                        field=(where[2] or "") + f"/{k}" if where[2] is not None else k,
                        value=str(v)[:80],
                    )
                )

    def get(self, table: str, rid: str | None) -> dict[str, Any] | None:
        return self.rows[table].get(rid) if rid else None

    def all(self, table: str) -> list[dict[str, Any]]:
        return list(self.rows[table].values())

    def by(self, table: str, key: str) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.rows[table].values():
            if r.get(key):
                out[str(r[key])].append(r)
        return out
