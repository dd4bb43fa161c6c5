"""``tsunagari match --person`` and ``tsunagari assign`` take a stored person's consent from the consent register
(graphsvc.access), as the API's matching does, not from the consent scope written inside the stored profile.

Every person of the town below has a profile that says "all hosts" (``consent.all_hosts``); the register says
otherwise for some of them: P-003 consents to 参加支援 with E-01 only, P-002 has a grant that is withdrawn, P-001
consents to every host. The CLI must rank exactly what the API ranks for the same person (same ranked ids, same
exclusions) and must exclude the hosts the register does not name."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from tests.integration.api.conftest import PROFILE, TOWN, Api, make_api

OPENINGS = {"O-01": "E-01", "O-02": "V-01"}  # opening → host


@pytest.fixture
def town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TSUNAGARI_TOWN", TOWN)
    monkeypatch.delenv("TSUNAGARI_ADMIN_KEY", raising=False)
    gen = make_api(tmp_path, api_rate_per_second=10_000.0, api_rate_burst=10_000)
    api = next(gen)
    consents = api.container.system().consents
    g = consents.grant(TOWN, "P-002", purposes=["参加支援"], recipients=["*"], recorded_by="test")
    assert consents.withdraw(TOWN, "P-002", g.grant_id)
    assert PROFILE["consent"] == {"all_hosts": True}  # what the profile alone would allow
    yield api
    gen.close()


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout + (repr(res.exception) if res.exit_code not in (0, 1) else "")


def _cli_match(person_id: str) -> dict[str, Any]:
    code, out = _cli("match", "--person", person_id, "--town", TOWN, "--format", "json")
    assert code in (0, 1), out  # 1: nothing left to rank
    return dict(json.loads(out))


def _api_match(api: Api, person_id: str) -> dict[str, Any]:
    res = api.client.post(
        f"/v1/towns/{TOWN}/match", json={"person_id": person_id}, headers=api.h("admin", "participation")
    )
    assert res.status_code == 200, res.text
    return dict(res.json())


def _ranked(result: dict[str, Any]) -> list[str]:
    return [r["opening_id"] for r in result["ranked"]]


def _consent_excluded(result: dict[str, Any]) -> set[str]:
    return {
        e["opening_id"]
        for e in result["exclusions"]
        if any("consent" in r["code"] or "同意" in r["message"] for r in e["reasons"])
    }


@pytest.mark.parametrize(
    ("person_id", "ranked", "excluded"),
    [
        ("P-001", {"O-01", "O-02"}, set()),  # 参加支援 for every host
        ("P-003", {"O-01"}, {"O-02"}),  # 参加支援 with E-01 only: V-01's opening is out
        ("P-002", set(), {"O-01", "O-02"}),  # the only grant was withdrawn: nobody
    ],
)
def test_match_reads_the_consent_register(
    town: Api, person_id: str, ranked: set[str], excluded: set[str]
) -> None:
    cli = _cli_match(person_id)
    assert set(_ranked(cli)) == ranked
    assert _consent_excluded(cli) == excluded
    api = _api_match(town, person_id)
    assert _ranked(cli) == _ranked(api)  # one notion of consent: the CLI ranks what the API ranks
    assert _consent_excluded(cli) == _consent_excluded(api)


def test_a_grant_recorded_later_changes_what_match_offers(town: Api) -> None:
    assert set(_ranked(_cli_match("P-003"))) == {"O-01"}
    town.container.system().consents.grant(
        TOWN, "P-003", purposes=["参加支援"], recipients=["V-01"], recorded_by="test"
    )
    assert set(_ranked(_cli_match("P-003"))) == {"O-01", "O-02"}


def test_table_output_names_the_consent_exclusion(town: Api) -> None:
    code, out = _cli("match", "--person", "P-003", "--town", TOWN)
    assert code == 0, out
    excluded = [line for line in out.splitlines() if line.strip().startswith("- O-02")]
    assert excluded and "同意" in excluded[0], out


def test_assign_offers_only_what_the_register_allows(town: Api, tmp_path: Path) -> None:
    out = tmp_path / "assignment.csv"
    code, text = _cli("assign", "--town", TOWN, "--out", str(out))
    assert code == 0, text
    with out.open(encoding="utf-8") as f:
        pairs = {(r[0], r[1]) for r in csv.reader(f) if r and r[0].startswith("P-")}
    assert pairs, out.read_text(encoding="utf-8")
    assert not any(p == "P-002" for p, _ in pairs)  # withdrawn: no host at all
    assert ("P-003", "O-02") not in pairs  # V-01 is not among P-003's recipients
