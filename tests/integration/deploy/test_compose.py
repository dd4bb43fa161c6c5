"""docker-compose.yml is accepted by ``docker-compose config`` (Debian's docker-compose; no engine needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[3]


def compose_cmd() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_config_is_valid() -> None:
    cmd = compose_cmd()
    if cmd is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed; .ci/run installs it")
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    env = {**os.environ, "NEO4J_PASSWORD": "test-only-password"}
    out = subprocess.run(
        [*cmd, "config"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    config = yaml.safe_load(out)
    services = config["services"]
    assert services["neo4j"]["image"].startswith("neo4j:5")
    assert "healthcheck" in services["neo4j"] and "healthcheck" in services["api"]
    api_env = services["api"]["environment"]
    assert api_env["NEO4J_URI"] == "bolt://neo4j:7687" and api_env["TSUNAGARI_STORE"] == "neo4j"
    assert api_env["NEO4J_PASSWORD"] == "test-only-password"
    assert "neo4j-data" in config["volumes"]


def test_compose_refuses_to_start_without_a_password() -> None:
    cmd = compose_cmd()
    if cmd is None:
        pytest.skip("docker-compose not installed")
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    res = subprocess.run([*cmd, "config"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert res.returncode != 0 and "NEO4J_PASSWORD" in res.stderr
