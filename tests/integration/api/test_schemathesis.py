"""Property-based fuzzing of the app's own OpenAPI with schemathesis (admin key): no 5xx on any generated case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.integration.api.conftest import TOWN, Api, make_api  # noqa: E402

pytestmark = pytest.mark.slow
PER_OPERATION = 25  # 50 operations × 25 ≥ 1,000 cases
SLOW_PATHS = ("/gaps", "/maps/resources")


@pytest.fixture
def fuzz_api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(tmp_path, api_rate_per_second=100_000.0, api_rate_burst=100_000)


def test_no_server_errors_on_generated_cases(fuzz_api: Api) -> None:
    app = fuzz_api.client.app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = fuzz_api.h("admin", "administration")
    total = 0
    failures: list[str] = []
    codes: dict[int, int] = {}
    for result in schema.get_all_operations():
        op = result.ok()
        n = 5 if op.path.endswith(SLOW_PATHS) else PER_OPERATION

        @settings(
            max_examples=n,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(), real_town=st.booleans())
        def run(case: schemathesis.Case, real_town: bool) -> None:
            nonlocal total
            total += 1
            if case.path_parameters and "town" in case.path_parameters and (real_town or total % 3):
                case.path_parameters["town"] = TOWN
            res = case.call(headers={**(case.headers or {}), **headers})
            codes[res.status_code] = codes.get(res.status_code, 0) + 1
            if res.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {res.status_code}: {res.text[:200]}")

        run()
    print(f"schemathesis: {total} generated cases, status codes {sorted(codes.items())}")
    assert not failures, "\n".join(failures[:20])
    assert total >= 1000
    assert sum(v for k, v in codes.items() if k < 300) >= 200  # not only rejections
