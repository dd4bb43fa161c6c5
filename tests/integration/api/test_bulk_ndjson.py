"""The bulk endpoints' NDJSON bodies (``application/x-ndjson``, one row a line), by hand: every way a line can be
wrong is a 422 naming its line, the whole body is checked before anything is written, and a refused body changes
nothing (compared on a full dump of the store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.conftest import TOWN, Api, make_api

T = f"/v1/towns/{TOWN}"
NDJSON = {"Content-Type": "application/x-ndjson"}


def _lines(*rows: Any) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n" for r in rows
    )


def _dump(api: Api) -> tuple[Any, ...]:
    """Every node and relationship of the town, as stored."""
    store = api.container.store(TOWN)
    from graphsvc.domain.enums import NodeLabel, RelType

    nodes = sorted(
        (r.label.value, r.id, json.dumps(r.props, sort_keys=True))
        for lb in NodeLabel
        for r in store.iter_nodes(lb)
    )
    rels = sorted(
        (r.type.value, str(r.src), str(r.dst), json.dumps(r.props, sort_keys=True))
        for t in RelType
        for r in store.iter_rels(t)
    )
    return tuple(nodes), tuple(rels)


def _post(api: Api, kind: str, body: bytes, content_type: str = "application/x-ndjson") -> Any:
    return api.client.post(
        f"{T}/{kind}:bulk", content=body, headers={**api.h("admin"), "Content-Type": content_type}
    )


GOOD = {"id": "N-1", "name": "新 一", "birth_year": 1990}


@pytest.mark.parametrize(
    ("lines", "bad_line", "says"),
    [
        # wrong types (the coercions the lax records made)
        ((GOOD, {"id": "N-2", "birth_year": "1990"}), 2, "birth_year"),
        ((GOOD, {"id": "N-2", "needs_support": "yes"}), 2, "needs_support"),
        ((GOOD, {"id": "N-2", "hikikomori": 1}), 2, "hikikomori"),
        ((GOOD, {"id": 2}), 2, "id"),
        ((GOOD, {"id": "N-2", "sex": "男"}), 2, "sex"),
        # a line that is not a row
        ((GOOD, [GOOD]), 2, "object"),
        ((GOOD, "N-2"), 2, "object"),
        ((GOOD, None), 2, "object"),
        ((GOOD, 42), 2, "object"),
        ((GOOD, {"name": "id なし"}), 2, "id"),
        ((GOOD, {"id": "N-2", "nickname": "x"}), 2, "nickname"),
        # not JSON, or cut short
        ((GOOD, b"id,name"), 2, "JSON"),
        ((GOOD, b'{"id": "N-2", "name": "\xe6\x96'), 2, "UTF-8"),  # a character cut in two
        ((GOOD, b'{"id": "N-2", "name": "cut'), 2, "JSON"),  # a truncated download
        ((GOOD, b'{"id": "N-2"} {"id": "N-3"}'), 2, "JSON"),  # two rows on one line
        ((GOOD, b'{"id": "N-2", "birth_year": NaN}'), 2, "JSON"),
        ((GOOD, b"[" * 5000 + b"]" * 5000), 2, "64"),
        ((b"\x00\x01\x02", GOOD), 1, "JSON"),
        # the wrong kind of record in a persons body (mixed kinds)
        ((GOOD, {"id": "AG-9", "name": "機関", "sectors": ["elderly"]}), 2, "sectors"),
        ((GOOD, {"id": "O-9", "title": "t", "kind": "petit_work"}), 2, "title"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_written(
    api: Api, lines: tuple[Any, ...], bad_line: int, says: str
) -> None:
    before = _dump(api)
    res = _post(api, "persons", _lines(*lines))
    assert res.status_code == 422, res.text
    problems = res.json()["detail"]
    assert {p.get("row") for p in problems} == {bad_line}
    assert says in json.dumps(problems, ensure_ascii=False)
    assert all(p["message_ja"] and p["message_en"] for p in problems)
    assert _dump(api) == before


def test_every_bad_line_is_reported_at_once(api: Api) -> None:
    before = _dump(api)
    body = _lines(GOOD, {"id": "N-2", "birth_year": "x"}, b"{oops", {"id": "N-4"}, {"id": "N-5", "sex": 1})
    res = _post(api, "persons", body)
    assert res.status_code == 422
    # a line that is not JSON stops the rows from being checked (its neighbours are not known to be rows)
    assert {p["row"] for p in res.json()["detail"]} == {3}
    fixed = body.replace(b"{oops", json.dumps({"id": "N-3"}).encode())
    res = _post(api, "persons", fixed)
    assert {p["row"] for p in res.json()["detail"]} == {2, 5}
    assert _dump(api) == before


def test_blank_lines_crlf_a_bom_and_a_missing_last_newline_are_fine(api: Api) -> None:
    rows = [{"id": f"N-{i}", "name": f"新 {i}"} for i in range(3)]
    body = b"\xef\xbb\xbf" + b"\r\n".join(json.dumps(r).encode() for r in rows) + b"\r\n\r\n   \n"
    res = _post(api, "persons", body.rstrip(b"\r\n "))
    assert res.status_code == 200 and res.json() == {"kind": "persons", "rows": 3, "created": 3, "updated": 0}
    again = _post(api, "persons", body, "application/x-ndjson; charset=utf-8")
    assert again.status_code == 200 and again.json()["updated"] == 3


def test_an_empty_body_is_refused_and_an_empty_array_is_a_no_op(api: Api) -> None:
    before = _dump(api)
    for body in (b"", b"\n\n  \n"):
        res = _post(api, "persons", body)
        assert res.status_code == 422 and res.json()["detail"][0]["field"] == "body"
    res = _post(api, "persons", b"[]", "application/json")
    assert res.status_code == 200 and res.json()["rows"] == 0
    assert _dump(api) == before


def test_a_huge_line_is_refused_whole(tmp_path: Path) -> None:
    gen = make_api(tmp_path, api_max_body_bytes=64_000)
    api = next(gen)
    before = _dump(api)
    huge = {"id": "N-2", "name": "x", "notes": "長" * 40_000}  # 120 KB of UTF-8 on one line
    res = _post(api, "persons", _lines(GOOD, huge))
    assert res.status_code == 413 and res.json()["detail"][0]["message_ja"]
    assert _dump(api) == before
    gen.close()


def test_too_many_lines_are_refused(api: Api) -> None:
    from graphsvc.api.bulk import MAX_BULK_ROWS

    before = _dump(api)
    body = b"".join(b'{"id": "N-%d"}\n' % i for i in range(MAX_BULK_ROWS + 1))
    res = _post(api, "persons", body)
    assert res.status_code == 422 and f"{MAX_BULK_ROWS:,}" in res.json()["detail"][0]["message_ja"]
    assert _dump(api) == before


def test_duplicate_ids_in_one_body_keep_the_last_and_count_once(api: Api) -> None:
    res = _post(api, "persons", _lines({"id": "N-1", "name": "前"}, {"id": "N-1", "name": "後"}))
    assert res.status_code == 200 and res.json()["created"] == 1
    got = api.client.get(f"{T}/persons/N-1", headers=api.h("admin", "administration")).json()
    assert got["name"] == "後"


def test_ties_as_ndjson(api: Api) -> None:
    before = _dump(api)
    knows = {
        "type": "KNOWS",
        "src": {"label": "Person", "id": "P-001"},
        "dst": {"label": "Person", "id": "P-003"},
    }
    bad = [
        ({**knows, "props": {"strength": "つよい"}}, "strength"),
        ({**knows, "src": {"label": "Household", "id": "H-001"}}, "label"),
        ({**knows, "type": "LIKES"}, "type"),
        ({**knows, "props": {"since": 20240101}}, "since"),
    ]
    for row, says in bad:
        res = _post(api, "ties", _lines(knows, row))
        assert res.status_code == 422 and {p["row"] for p in res.json()["detail"]} == {2}, res.text
        assert says in json.dumps(res.json(), ensure_ascii=False)
    # a tie to a record that does not exist: refused whole, the good line is not written either
    missing = {**knows, "dst": {"label": "Person", "id": "P-404"}}
    res = _post(api, "ties", _lines(knows, missing))
    assert res.status_code in (404, 409, 422) and res.json()["detail"][0]["message_ja"]
    assert _dump(api) == before
    ok = _post(
        api,
        "ties",
        _lines(knows, {**knows, "dst": {"label": "Person", "id": "P-002"}, "props": {"strength": "strong"}}),
    )
    assert ok.status_code == 200 and ok.json() == {"kind": "ties", "rows": 2, "created": 2, "updated": 0}


@pytest.mark.parametrize(
    ("kind", "row"),
    [
        ("households", {"id": "H-9", "size": 2, "flags": ["eighty_fifty"]}),
        ("cases", {"id": "C-9", "household_id": "H-001", "opened": "2024-04-01", "hard": True}),
        ("supporters", {"id": "S-9", "name": "民生委員", "kind": "minsei_iin"}),
        ("agencies", {"id": "AG-9", "name": "機関", "sectors": ["elderly"]}),
        ("venues", {"id": "V-9", "name": "サロン", "kind": "community_cafe"}),
        ("employers", {"id": "E-9", "name": "会社", "welfare_workplace": True}),
        (
            "opportunities",
            {"id": "O-9", "title": "t", "kind": "petit_work", "host_id": "E-01", "host_label": "Employer"},
        ),
        ("areas", {"id": "A-9", "name": "地区", "remote": True}),
    ],
)
def test_every_kind_takes_ndjson_and_refuses_a_coerced_line(api: Api, kind: str, row: dict[str, Any]) -> None:
    before = _dump(api)
    # each bool, int or list value as the text a spreadsheet would hold; a kind with none gets a number for a text
    coerced = {k: str(v) for k, v in row.items() if isinstance(v, (bool, int, list))} or {"name": 12}
    wrong = {**row, "id": row["id"] + "b", **coerced}
    res = _post(api, kind, _lines(row, wrong))
    assert res.status_code == 422 and {p["row"] for p in res.json()["detail"]} == {2}, res.text
    assert _dump(api) == before
    res = _post(api, kind, _lines(row))
    assert res.status_code == 200 and res.json()["created"] == 1
