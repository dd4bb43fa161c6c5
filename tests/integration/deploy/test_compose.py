"""docker-compose.yml is accepted by ``docker-compose config`` (Debian's docker-compose; no engine needed)."""

from __future__ import annotations

import os
import re
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


def neo4j_versions() -> tuple[str, str]:
    pom = (ROOT / "tools" / "neo4j" / "pom.xml").read_text()
    neo = re.search(r"<neo4j.version>([^<]+)<", pom)
    gds = re.search(r"<gds.version>([^<]+)<", pom)
    assert neo and gds
    return neo.group(1), gds.group(1)


def test_dockerfile_builds_the_same_neo4j_as_the_tests() -> None:
    neo, _ = neo4j_versions()
    docker = (ROOT / "tools" / "neo4j" / "Dockerfile").read_text()
    assert f"ARG NEO4J_VERSION={neo}\n" in docker and "FROM neo4j:${NEO4J_VERSION}-community" in docker
    assert "COPY pom.xml" in docker  # the GDS jars come from the same pom as the tests'


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
    # the same Neo4j and GDS as the tests: built from tools/neo4j (pom.xml + Dockerfile)
    neo, gds = neo4j_versions()
    assert services["neo4j"]["build"]["args"]["NEO4J_VERSION"] == neo
    assert services["neo4j"]["image"] == f"tsunagari-neo4j:{neo}-gds{gds}"
    assert Path(services["neo4j"]["build"]["context"]).resolve() == ROOT / "tools" / "neo4j"
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
