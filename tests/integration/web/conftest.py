"""The API test town (one key per role; P-001 consents to 参加支援 and 支援会議 for any host, P-002 has no
consent, P-003 is not the coordinator's) and a helper that signs a browser-like client in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import Api, make_api

_HIDDEN = re.compile(r'name="(csrf|token)" value="([^"]+)"')


def hidden(html: str, name: str = "csrf") -> str:
    for n, v in _HIDDEN.findall(html):
        if n == name:
            return v
    raise AssertionError(f"no hidden field {name!r} in the page")


def sign_in(client: TestClient, key: str, purpose: str | None = None) -> str:
    """Sign in through the form; returns the session's CSRF token (and sets the purpose when given)."""
    page = client.get("/app/signin")
    assert page.status_code == 200
    r = client.post(
        "/app/signin",
        data={"api_key": key, "token": hidden(page.text, "token"), "next": "/app/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/app/", r.text
    home = client.get("/app/")
    assert home.status_code == 200
    csrf = hidden(home.text)
    if purpose:
        r = client.post("/app/purpose", data={"csrf": csrf, "purpose": purpose, "next": "/app/"})
        assert r.status_code == 200
    return csrf


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(tmp_path, api_rate_per_second=10_000.0, api_rate_burst=10_000)
