"""The Neo4j adapter's Cypher parses and passes Neo4j 5's own linter (``@neo4j-cypher/language-support``).

- the linter is real: it flags known-bad statements (so a linter that prints nothing cannot pass);
- every statement in the catalogue (:func:`graphsvc.store.neo4j.statements.all_statements`: the adapter's and the
  GDS ones) is clean: no error, no warning, with the schema's labels and types declared and Neo4j 5's function
  registry;
- the statements actually sent during a run against the real Neo4j of the test session are all in the
  catalogue (so that enumeration misses nothing), each got exactly the parameters it names, and the server itself
  raised no notification about them (no deprecation, no warning).

Needs Node.js and ``make node`` (``npm install``). Outside CI a missing Node skips; with ``CI=true`` it fails.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.neo4j.statements import all_statements
from graphsvc.store.network import network_of
from graphsvc.store.port import NodeRef, RelRow, WriteBatch

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[3]
LINT = ROOT / "tools" / "cypher-lint" / "lint.mjs"
PACKAGE = ROOT / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"


def _node() -> str:
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "Node.js (node) is not on PATH"
    elif not PACKAGE.exists():
        missing = f"{PACKAGE.parent} is missing: run `make node` (npm install)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Cypher linter unavailable in CI: {missing}")
        pytest.skip(missing)
    assert node is not None
    return node


def lint(
    statements: Sequence[dict[str, Any]], *, declare_schema: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Run the linter (one Node process per core, the statements split between them); returns diagnostics by
    statement name (names must be unique)."""
    args = [_node(), str(LINT)]
    if declare_schema:
        args += [
            "--labels",
            ",".join(x.value for x in NodeLabel),
            "--types",
            ",".join(t.value for t in RelType),
        ]
    jobs = max(1, min(os.cpu_count() or 1, 4, len(statements)))
    parts = [list(statements[i::jobs]) for i in range(jobs)]
    procs = [
        subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        for _ in parts
    ]
    out: dict[str, list[dict[str, Any]]] = {}
    for proc, part in zip(procs, parts, strict=True):
        stdout, stderr = proc.communicate(json.dumps(part), timeout=600)
        assert proc.returncode in (0, 1), f"linter crashed ({proc.returncode}): {stderr}"
        answers = json.loads(stdout)
        assert len(answers) == len(part), "the linter must answer for every statement"
        out.update({x["name"]: x["diagnostics"] for x in answers})
    return out


def _show(bad: dict[str, list[dict[str, Any]]], queries: dict[str, str]) -> str:
    lines = []
    for name, diags in list(bad.items())[:10]:
        lines.append(f"--- {name}\n{queries.get(name, '')}")
        lines += [f"  {d['severity']}: {d['message']} [{d['text']}]" for d in diags]
    return "\n".join(lines)


def test_linter_flags_known_bad_statements() -> None:
    bad = [
        {
            "name": "size_of_pattern",
            "query": "MATCH (h:Household) WHERE size((h)-->()) = 0 RETURN h",
            "parameters": {},
        },
        {
            "name": "old_constraint",
            "query": "CREATE CONSTRAINT ON (n:Person) ASSERT n.id IS UNIQUE",
            "parameters": {},
        },
        {"name": "syntax", "query": "MATCH (n:Person {town: $town} RETURN n", "parameters": {"town": "x"}},
        {
            "name": "undeclared_parameter",
            "query": "MATCH (n:Person {town: $town}) RETURN n",
            "parameters": {},
        },
        {"name": "not_neo4j_function", "query": "MATCH (n:Person) RETURN typeOf(n.x) AS t", "parameters": {}},
        {"name": "unknown_label", "query": "MATCH (n:Persn) RETURN n", "parameters": {}},
        {
            "name": "good",
            "query": "MATCH (n:Person {town: $town}) RETURN n.id AS id",
            "parameters": {"town": "x"},
        },
    ]
    result = lint(bad)
    for item in bad[:-1]:
        assert result[item["name"]], f"the linter did not flag {item['name']}: {item['query']}"
    assert "size()" in result["size_of_pattern"][0]["message"]
    assert "ASSERT" in result["old_constraint"][0]["message"]
    assert result["good"] == []


@pytest.mark.slow
def test_every_neo4j_statement_is_clean() -> None:
    statements = all_statements()
    names = [s["name"] for s in statements]
    assert len(names) == len(set(names)), "statement names must be unique"
    # every builder is represented: each label, each relationship type, each direction
    joined = "\n".join(s["query"] for s in statements)
    assert all(f":{x.value}" in joined for x in NodeLabel)
    assert all(f":{t.value}" in joined for t in RelType)
    result = lint(statements)
    bad = {k: v for k, v in result.items() if v}
    assert not bad, f"{len(bad)} statements have diagnostics:\n" + _show(
        bad, {s["name"]: s["query"] for s in statements}
    )


def _workload(store: Neo4jStore) -> None:
    """Exercise every public method of the adapter, with enough rows to need several batches."""
    p, h, a = NodeLabel.PERSON, NodeLabel.HOUSEHOLD, NodeLabel.AREA
    store.upsert_nodes(a, [{"id": "A-1", "name": "Area one"}])
    store.upsert_nodes(h, [{"id": f"H-{i}", "name": f"household {i}"} for i in range(30)])
    store.upsert_nodes(p, [{"id": f"P-{i}", "name": f"person {i}", "tags": ["x", "y"]} for i in range(60)])
    store.upsert_rels(
        [RelRow(RelType.MEMBER_OF, NodeRef(p, f"P-{i}"), NodeRef(h, f"H-{i % 30}")) for i in range(60)]
        + [RelRow(RelType.KNOWS, NodeRef(p, "P-0"), NodeRef(p, "P-1"), {"strength": "strong"})]
        + [RelRow(RelType.IN_AREA, NodeRef(h, "H-0"), NodeRef(a, "A-1"))]
    )
    store.get_node(NodeRef(p, "P-1"))
    store.get_nodes(p, ["P-1", "P-2"])
    store.find_nodes(p, {"tags": "x"}, limit=5)
    store.find_nodes(p, {"name": "person 3"})
    list(store.iter_nodes(h))
    list(store.iter_rels(RelType.MEMBER_OF))
    store.relationships(NodeRef(p, "P-0"))
    store.relationships(NodeRef(p, "P-0"), types=[RelType.KNOWS], direction="out")
    store.relationships(NodeRef(h, "H-0"), direction="in")
    store.neighbourhood(NodeRef(p, "P-0"), depth=2)
    store.neighbourhood(NodeRef(p, "P-0"), depth=1, types=[RelType.MEMBER_OF, RelType.KNOWS])
    store.counts()
    store.projection()
    store.projection([p, h], [RelType.MEMBER_OF])
    store.delete_rel(RelType.KNOWS, NodeRef(p, "P-0"), NodeRef(p, "P-1"))
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the contract suite checks which
        store.delete_node(NodeRef(h, "H-1"))
    store.write(
        WriteBatch(
            delete_rels=[(RelType.MEMBER_OF, NodeRef(p, "P-1"), NodeRef(h, "H-1"))],
            delete_nodes=[NodeRef(p, "P-1")],
        )
    )
    store.delete_node(NodeRef(h, "H-2"), detach=True)
    store.upsert_nodes(NodeLabel.AGENCY, [{"id": f"AG-{i}", "name": f"agency {i}"} for i in range(4)])
    store.upsert_rels(
        RelRow(
            RelType.COLLABORATES_WITH, NodeRef(NodeLabel.AGENCY, f"AG-{i}"), NodeRef(NodeLabel.AGENCY, "AG-0")
        )
        for i in range(1, 4)
    )
    network_of(store).answers([NodeLabel.AGENCY], [RelType.COLLABORATES_WITH])
    store.ping()
    store.clear()


@pytest.mark.neo4j
def test_statements_sent_to_neo4j_are_enumerated_clean_and_draw_no_notification(
    neo4j_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sent: dict[str, tuple[str, dict[str, Any]]] = {}

    def record(name: str, query: str, params: Any) -> None:
        sent.setdefault(name, (query, json.loads(json.dumps(params, default=str))))

    with caplog.at_level(logging.WARNING, logger="neo4j.notifications"), neo4j_server.driver() as driver:
        _workload(Neo4jStore(driver, "lintrun", uri=neo4j_server.uri, batch_rows=25, recorder=record))
    assert len(sent) > 20

    # 1. nothing is sent that all_statements() does not know (the enumeration is the real set)
    known = {s["name"]: s["query"] for s in all_statements()}
    unknown = {n: q for n, (q, _) in sent.items() if known.get(n) != q}
    assert not unknown, f"sent but not enumerated: {sorted(unknown)}"

    # 2. each statement was sent with exactly the parameters it names (the catalogue's samples are linted above)
    for name, (query, params) in sent.items():
        assert set(re.findall(r"\$(\w+)", query)) == set(params), name

    # 3. Neo4j itself had nothing to say about them (deprecations, performance warnings)
    notes = [r.getMessage()[:300] for r in caplog.records if r.name == "neo4j.notifications"]
    assert not notes, "\n".join(notes)
