"""The API served by uvicorn in a real process: a case system's first calls, keys from the real CLI."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CLI = "from graphsvc.cli import main; main()"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path, store_backend: str) -> dict[str, str]:
    """A clean environment; on the ``neo4j`` run, pointing at the session's Neo4j (tests/conftest.py)."""
    from tests.conftest import store_environment

    e = {k: v for k, v in os.environ.items() if not k.startswith(("TSUNAGARI_", "NEO4J_"))}
    return (
        e
        | store_environment()
        | {"TSUNAGARI_DATA_DIR": str(tmp_path / "data"), "TSUNAGARI_API_KEY_SECRET": "e2e-secret"}
    )


def cli(env: dict[str, str], *args: str) -> str:
    res = subprocess.run(
        [sys.executable, "-c", CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[str]:
    from graphsvc.bootstrap import build
    from loaders.demo import build_town, get_spec

    c = build(data_dir=Path(env["TSUNAGARI_DATA_DIR"]))
    build_town(c.store("takasu"), get_spec("takasu"), households=300)
    c.close()
    port = _port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "graphsvc.app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_case_system_first_three_calls(env: dict[str, str], server: str) -> None:
    out = cli(env, "keys", "create", "--role", "case_system", "--name", "ケース管理A", "--town", "takasu")
    key = re.search(r"^(tsk_\S+)$", out, re.M)
    assert key, out
    h = {"Authorization": f"Bearer {key.group(1)}", "X-Purpose": "administration"}
    person = {
        "name": "鳥羽 太郎",
        "birth_year": 1988,
        "participation_profile": {"skills": ["調理"], "consent": {"all_hosts": True}},
    }
    put = httpx.put(f"{server}/v1/towns/takasu/persons/A-0001", json=person, headers=h)
    assert put.status_code == 201, put.text
    assert httpx.get(f"{server}/v1/towns/takasu/persons", headers=h).json()["total"] == 1
    # no consent yet: no match; after the consent is recorded, the case system may match its own person
    mh = {**h, "X-Purpose": "participation"}
    assert (
        httpx.post(f"{server}/v1/towns/takasu/match", json={"person_id": "A-0001"}, headers=mh).status_code
        == 403
    )
    ok = httpx.post(
        f"{server}/v1/towns/takasu/persons/A-0001/consents", json={"purposes": ["参加支援"]}, headers=h
    )
    assert ok.status_code == 201, ok.text
    assert (
        httpx.post(f"{server}/v1/towns/takasu/match", json={"person_id": "A-0001"}, headers=mh).status_code
        == 200
    )
    out = cli(
        env,
        "keys",
        "create",
        "--role",
        "coordinator",
        "--name",
        "佐藤",
        "--town",
        "takasu",
        "--persons",
        "A-0001",
    )
    coord = {
        "Authorization": "Bearer " + re.findall(r"^(tsk_\S+)$", out, re.M)[0],
        "X-Purpose": "participation",
    }
    grant = httpx.post(
        f"{server}/v1/towns/takasu/persons/A-0001/consents", json={"purposes": ["参加支援"]}, headers=coord
    )
    assert grant.status_code == 201, grant.text
    res = httpx.post(f"{server}/v1/towns/takasu/match", json={"person_id": "A-0001", "top": 3}, headers=coord)
    assert res.status_code == 200 and res.json()["profile_id"] == "A-0001"
    listed = cli(env, "keys", "list")
    assert "case_system" in listed and "coordinator" in listed and "tsk_" not in listed
    key_id = listed.split()[0]
    cli(env, "keys", "revoke", key_id)
    assert "失効" in cli(env, "keys", "list")
    # keys are stored hashed only
    db = Path(env["TSUNAGARI_DATA_DIR"]) / "_system" / "system.sqlite3"
    assert key.group(1).split("_", 2)[2].encode() not in db.read_bytes()
