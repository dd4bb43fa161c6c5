"""``tsunagari match`` (what-if) and ``tsunagari schema``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from graphsvc.cli import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "matching"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_match_table_with_explanations() -> None:
    r = _run(
        "match",
        "--profile",
        str(EXAMPLES / "profile.json"),
        "--opportunities",
        str(EXAMPLES / "opportunities.json"),
        "--top",
        "2",
        "--explain",
    )
    assert r.exit_code == 0, r.output
    assert "男性の料理教室の講師" in r.output
    assert "1回2時間で、希望する上限3時間以内" in r.output
    assert "定員に空きがない" in r.output and "時間帯が合わない" in r.output


def test_match_json() -> None:
    r = _run(
        "match",
        "-p",
        str(EXAMPLES / "profile.json"),
        "-o",
        str(EXAMPLES / "opportunities.json"),
        "--format",
        "json",
        "--top",
        "3",
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["ranked"][0]["opening_id"] == "S1-cooking-class"
    assert d["ranked"][0]["factors"]
    assert d["exclusion_counts"] == {"capacity": 1, "schedule": 1, "distance": 1}
    assert {e["opening_id"] for e in d["exclusions"]} == {"X-far-farm", "X-full-cafe", "X-evening"}


def test_schema_commands() -> None:
    for name, field in (("profile", "max_hours_per_session"), ("opportunity", "hours_per_session")):
        r = _run("schema", name)
        assert r.exit_code == 0
        s = json.loads(r.stdout)
        assert field in s["properties"] and s["properties"][field]["description"]


def test_bad_profile_is_a_located_japanese_error(tmp_path) -> None:
    p = tmp_path / "p.json"
    p.write_text(json.dumps({"min_hours_per_session": 5, "max_hours_per_session": 3}), encoding="utf-8")
    r = _run("match", "-p", str(p), "-o", str(EXAMPLES / "opportunities.json"))
    assert r.exit_code == 2
    assert "max_hours_per_session" in r.output and "1回の最短時間" in r.output


def test_empty_result_exits_1_with_counts(tmp_path) -> None:
    prof = json.loads((EXAMPLES / "profile.json").read_text(encoding="utf-8"))
    prof["max_hours_per_session"] = 0.5
    p = tmp_path / "p.json"
    p.write_text(json.dumps(prof, ensure_ascii=False), encoding="utf-8")
    r = _run("match", "-p", str(p), "-o", str(EXAMPLES / "opportunities.json"), "--format", "json")
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert (
        d["empty"]
        and d["exclusion_counts"]["session_hours"] == 7
        and "条件に合う参加メニューがありません" in d["message"]
    )


def test_unknown_ids_warn_or_fail_with_strict(tmp_path) -> None:
    prof = json.loads((EXAMPLES / "profile.json").read_text(encoding="utf-8"))
    prof["past_placements"] = [{"opening_id": "O-does-not-exist", "outcome": "ended_early"}]
    p = tmp_path / "p.json"
    p.write_text(json.dumps(prof, ensure_ascii=False), encoding="utf-8")
    r = _run("match", "-p", str(p), "-o", str(EXAMPLES / "opportunities.json"), "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["warnings"][0]["value"] == "O-does-not-exist"
    r = _run("match", "-p", str(p), "-o", str(EXAMPLES / "opportunities.json"), "--strict")
    assert r.exit_code == 2 and "O-does-not-exist" in r.output


def test_extra_vocabulary_option(tmp_path) -> None:
    v = tmp_path / "v.json"
    v.write_text(
        json.dumps({"concepts": {"cooking": {"surfaces": ["和食"]}}}, ensure_ascii=False), encoding="utf-8"
    )
    r = _run(
        "match",
        "-p",
        str(EXAMPLES / "profile.json"),
        "-o",
        str(EXAMPLES / "opportunities.json"),
        "--vocabulary",
        str(v),
        "--format",
        "json",
    )
    assert r.exit_code == 0
    from matching.vocabulary import set_default_vocabulary

    set_default_vocabulary(None)
