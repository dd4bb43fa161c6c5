"""Shared plumbing of the analyses: a one-pass index of a town projection, labels, and result serialisation.

The analyses take the store's projection (:meth:`graphsvc.store.port.GraphStore.projection`): nodes keyed
``"Label:id"`` whose attributes are ``label``, ``id`` and the flat store properties; edges keyed by relationship
type with a ``type`` attribute and the relationship's properties. Any networkx graph in that format works
(directed or not, multi or not): the direction of a relationship is recovered from the labels of its ends
(:data:`graphsvc.domain.records.REL_SPECS`), so an undirected copy gives the same answers.

:class:`TownIndex` reads the graph once (every node, every edge) into the maps the analyses need. Inside
:func:`shared_index` (used by :func:`graphsvc.analysis.analyse_all`) the index of a graph is built once and reused
by every analysis; outside it, each analysis builds its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, ClassVar, TypeVar, cast

import networkx as nx

from graphsvc.domain.enums import CaseFactor, CaseStage, NodeLabel, RelType, Sector
from graphsvc.domain.records import REL_SPECS

__all__ = [
    "AGENCY",
    "AREA",
    "CASE",
    "HOUSEHOLD",
    "OPPORTUNITY",
    "PERSON",
    "SUPPORTER",
    "UNKNOWN_AREA",
    "UNKNOWN_SECTOR",
    "VENUE",
    "Result",
    "TownIndex",
    "cached",
    "coord",
    "gc_paused",
    "index_of",
    "sector_en",
    "sector_ja",
    "shared_index",
]

UNKNOWN_SECTOR = "unknown"
"""The bucket of agencies with no (or no readable) sector."""
UNKNOWN_AREA = "unknown"
"""The bucket of households with no area."""

_L = NodeLabel
_R = RelType

# Plain strings of the labels and types the hot loops compare against (an enum's ``.value`` is a descriptor call).
HOUSEHOLD, PERSON, AGENCY, SUPPORTER, VENUE, OPPORTUNITY, CASE, AREA = (
    str(x.value)
    for x in (_L.HOUSEHOLD, _L.PERSON, _L.AGENCY, _L.SUPPORTER, _L.VENUE, _L.OPPORTUNITY, _L.CASE, _L.AREA)
)
_CLOSED = str(CaseStage.CLOSED.value)


def coord(attrs: Mapping[str, Any]) -> tuple[float, float] | None:
    """A node's (lat, lon) when both are finite numbers in range, else None (the one reader of coordinates for
    the analyses and the maps)."""
    lat, lon = attrs.get("lat"), attrs.get("lon")
    if isinstance(lat, bool) or isinstance(lon, bool):
        return None
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return float(lat), float(lon)


def sector_ja(value: str) -> str:
    """Japanese label of a sector value (``"unknown"`` → 分野不明)."""
    if value == UNKNOWN_SECTOR:
        return "分野不明"
    try:
        return Sector(value).ja
    except ValueError:
        return value


def sector_en(value: str) -> str:
    """English label of a sector value."""
    if value == UNKNOWN_SECTOR:
        return "unknown sector"
    try:
        return Sector(value).en
    except ValueError:
        return value


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block that allocates hundreds of thousands of small objects
    (each generation-2 pass walks the whole projection: a third of the run time on a 20k-household town). The
    analyses make no reference cycles worth collecting; reference counting frees everything as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """A result value → JSON-ready Python (dataclasses → dicts, tuples → lists, enums → values)."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    names = _FIELDS.get(t)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[type(value)] = (
            *(f.name for f in dataclasses.fields(value) if not f.name.startswith("_")),
            *getattr(value, "_derived", ()),
        )
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _plain(value.item())
    return value


class Result:
    """Mixin of the result dataclasses: ``to_dict()`` gives JSON-ready data (lists, dicts, str, numbers).

    Properties named in a class's ``_derived`` are included too (Japanese summaries and the like); fields whose
    name starts with ``_`` (arrays kept for the exports) are not.
    """

    _derived: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        with gc_paused():
            out = _plain(self)
        assert isinstance(out, dict)
        return out


# ---------------------------------------------------------------- the index


def _parse_sectors(raw: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A ``sectors`` property → (readable sector values in order, unreadable entries)."""
    if raw is None:
        return (), ()
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else [raw]
    good: list[str] = []
    bad: list[str] = []
    for item in items:
        try:
            s = Sector(str(item)).value
        except ValueError:
            bad.append(str(item))
            continue
        if s not in good:
            good.append(s)
    return tuple(good), tuple(bad)


class TownIndex:
    """Everything the analyses read from a projection, gathered in one pass over nodes and edges.

    Attributes (keys are projection node keys ``"Label:id"``):

    - ``by_label``: label value → node keys (graph order);
    - ``edges``: relationship type → ``(source, target, props)`` with the direction of REL_SPECS;
    - ``members``: household → its persons (MEMBER_OF); ``household_of``: person → household;
    - ``case_households``: case → households it is about (ABOUT a household, or a member of one);
    - ``household_cases``: household → its cases; ``handlers``: case → (agency, lead) pairs (HANDLED_BY);
    - ``agency_sectors``: agency → sectors in order (empty when unknown); ``bad_sectors``: agency → unreadable
      entries of its ``sectors``;
    - ``ignored_edges``: edges whose type or ends do not fit REL_SPECS (counted, not used).
    """

    def __init__(self, graph: nx.Graph):
        self.graph = graph
        self.attrs: Mapping[str, Mapping[str, Any]] = graph.nodes
        self.by_label: dict[str, list[str]] = defaultdict(list)
        self.label_of: dict[str, str] = {}
        for key, data in graph.nodes(data=True):
            label = data.get("label")
            if label is None and isinstance(key, str) and ":" in key:
                label = key.split(":", 1)[0]
            label = str(label) if label is not None else ""
            self.label_of[key] = label
            self.by_label[label].append(key)

        self.edges: dict[str, list[tuple[str, str, Mapping[str, Any]]]] = defaultdict(list)
        self.ignored_edges = 0
        specs = {
            t.value: (frozenset(x.value for x in s.sources), frozenset(x.value for x in s.targets))
            for t, s in REL_SPECS.items()
        }
        edge_iter: Any = (
            graph.edges(keys=True, data=True) if graph.is_multigraph() else graph.edges(data=True)
        )
        multi = graph.is_multigraph()
        label_of = self.label_of
        for e in edge_iter:
            if multi:
                u, v, k, d = e
                t = d.get("type", k)
            else:
                u, v, d = e
                t = d.get("type")
            spec = specs.get(t)
            if spec is None:
                self.ignored_edges += 1
                continue
            src, dst = spec
            lu, lv = label_of[u], label_of[v]
            if lu in src and lv in dst:
                self.edges[t].append((u, v, d))
            elif lv in src and lu in dst:
                self.edges[t].append((v, u, d))
            else:
                self.ignored_edges += 1

        self.members: dict[str, list[str]] = defaultdict(list)
        self.household_of: dict[str, str] = {}
        for p, h, _ in self.edges[_R.MEMBER_OF.value]:
            if p not in self.household_of:
                self.household_of[p] = h
                self.members[h].append(p)

        self.case_households: dict[str, list[str]] = defaultdict(list)
        self.household_cases: dict[str, list[str]] = defaultdict(list)
        for c, x, _ in self.edges[_R.ABOUT.value]:
            hh = x if label_of[x] == HOUSEHOLD else self.household_of.get(x)
            if hh is not None and hh not in self.case_households[c]:
                self.case_households[c].append(hh)
                self.household_cases[hh].append(c)

        self.handlers: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for c, a, d in self.edges[_R.HANDLED_BY.value]:
            self.handlers[c].append((a, bool(d.get("lead", False))))

        self.in_area: dict[str, str] = {}
        for x, ar, _ in self.edges[_R.IN_AREA.value]:
            self.in_area.setdefault(x, ar)

        self.agency_sectors: dict[str, tuple[str, ...]] = {}
        self.bad_sectors: dict[str, tuple[str, ...]] = {}
        for a in self.by_label[_L.AGENCY.value]:
            good, bad = _parse_sectors(self.attrs[a].get("sectors"))
            self.agency_sectors[a] = good
            if bad:
                self.bad_sectors[a] = bad

    # -- small readers

    def nodes(self, label: NodeLabel) -> list[str]:
        return self.by_label.get(label.value, [])

    def ext_id(self, key: str) -> str:
        """The external id of a node (its ``id`` attribute, else the part of the key after the label)."""
        v = self.attrs[key].get("id")
        if v is not None:
            return str(v)
        return key.split(":", 1)[1] if isinstance(key, str) and ":" in key else str(key)

    def name(self, key: str) -> str | None:
        v = self.attrs[key].get("name") or self.attrs[key].get("title")
        return None if v is None else str(v)

    def case_open(self, case: str) -> bool:
        return self.attrs[case].get("stage") != _CLOSED

    def case_hard(self, case: str) -> bool:
        return bool(self.attrs[case].get("hard", False))

    def case_factors(self, case: str) -> list[CaseFactor]:
        """The readable factors of a case (unknown values are skipped)."""
        raw = self.attrs[case].get("factors") or []
        if isinstance(raw, str):
            raw = [raw]
        out: list[CaseFactor] = []
        for f in raw:
            try:
                fac = CaseFactor(str(f))
            except ValueError:
                continue
            if fac not in out:
                out.append(fac)
        return out

    def primary_sector(self, agency: str) -> str:
        s = self.agency_sectors.get(agency, ())
        return s[0] if s else UNKNOWN_SECTOR

    def area_of(self, key: str) -> str | None:
        """The area node key of a node: its IN_AREA edge, else its ``area_id`` property if that area exists."""
        a = self.in_area.get(key)
        if a is not None:
            return a
        aid = self.attrs[key].get("area_id")
        if aid is None:
            return None
        k = f"{AREA}:{aid}"
        return k if k in self.attrs else None

    def area_id_of(self, key: str) -> str | None:
        """The external id of a node's area (the ``area_id`` property when no Area node matches)."""
        a = self.area_of(key)
        if a is not None:
            return self.ext_id(a)
        aid = self.attrs[key].get("area_id")
        return None if aid is None else str(aid)

    def household_keys_of(self, key: str) -> str | None:
        """The household a person or household node belongs to (itself for a household)."""
        if self.label_of.get(key) == HOUSEHOLD:
            return key
        return self.household_of.get(key)

    def served_by(self, *, include_closed: bool = False) -> dict[str, dict[str, set[str]]]:
        """household → agency → how it serves the household (``"support"`` and/or ``"case"``).

        SUPPORTED_BY from the household or a member, and HANDLED_BY of the household's cases (open cases only
        unless ``include_closed``).
        """
        out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for x, a, _ in self.edges[_R.SUPPORTED_BY.value]:
            h = self.household_keys_of(x)
            if h is not None:
                out[h][a].add("support")
        for c, hs in self.case_households.items():
            if not include_closed and not self.case_open(c):
                continue
            for a, _ in self.handlers.get(c, ()):
                for h in hs:
                    out[h][a].add("case")
        return out


_SHARED: ContextVar[dict[int, TownIndex] | None] = ContextVar("tsunagari_shared_index", default=None)
_SHARED_EXTRA: ContextVar[dict[tuple[int, str], tuple[Any, Any]] | None] = ContextVar(
    "tsunagari_shared_extra", default=None
)

T = TypeVar("T")


def cached(graph: Any, name: str, build: Callable[[], T]) -> T:
    """``build()`` once per graph and name inside :func:`shared_index` (every call outside it builds anew)."""
    shared = _SHARED_EXTRA.get()
    if shared is None:
        return build()
    hit = shared.get((id(graph), name))
    if hit is not None and hit[0] is graph:
        return cast(T, hit[1])
    value = build()
    shared[(id(graph), name)] = (graph, value)
    return value


def index_of(graph: nx.Graph) -> TownIndex:
    """The index of ``graph``: the shared one inside :func:`shared_index`, else a fresh one."""
    shared = _SHARED.get()
    if shared is not None:
        idx = shared.get(id(graph))
        if idx is None or idx.graph is not graph:
            idx = TownIndex(graph)
            shared[id(graph)] = idx
        return idx
    return TownIndex(graph)


@contextlib.contextmanager
def shared_index() -> Iterator[None]:
    """Within this block, analyses of the same graph object share one :class:`TownIndex` (the graph must not
    change inside the block)."""
    token = _SHARED.set({})
    extra = _SHARED_EXTRA.set({})
    try:
        yield
    finally:
        _SHARED_EXTRA.reset(extra)
        _SHARED.reset(token)
