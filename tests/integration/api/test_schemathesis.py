"""The app's own OpenAPI against the app, with schemathesis' engine (what ``schemathesis run --checks all`` runs):
the examples, coverage and fuzzing phases over every operation, every check enabled, 0 failures.

The checks (and what each would catch here): ``not_a_server_error`` (a 5xx), ``status_code_conformance`` (a status
the operation does not document), ``content_type_conformance`` (a media type it does not document),
``response_schema_conformance`` and ``response_headers_conformance`` (a body or a header that is not as
documented: ``Retry-After`` on 429/503, ``WWW-Authenticate`` on 401), ``positive_data_acceptance`` (a request the
schema allows refused with 400/422), ``negative_data_rejection`` (a request the schema forbids accepted: the
coercions this suite exists to stop), ``missing_required_header``, ``unsupported_method`` (an undocumented method
not answered 405 with ``Allow``), ``allow_header_conformance`` (``Allow`` on OPTIONS listing other methods than
the schema), ``ignored_auth`` (an operation that answers without the key), ``use_after_free`` and
``ensure_resource_availability`` (a resource readable after its DELETE, or not readable after its creation: the
stateful phase), ``max_response_time`` (a hang: the limit is generous, the machine is shared). All run; none is
switched off.

``object_level_authorization`` runs too (it is counted below), but it compares what several identities that must
not see each other's objects get back, and this run has one admin key: that rule is tested by hand with two case
systems (each reads back only the records it wrote) in
:func:`tests.integration.api.test_access_matrix.test_case_system_reads_back_only_its_own`.

Some rules of the API cannot be said in JSON Schema (a relation between two fields of one request): a slot opens
before it closes, a capacity's ``available`` is at most its ``maximum``, a case closes after it opens, a profile's
shortest session is not longer than its longest, a consent ends after it starts, a profile's contact channel is
not both preferred and refused, a caselist's ``sheet`` is given only with an Excel file (its ``filename`` ends in
``.xlsx`` or ``.xlsm``), a linkage decision names two different rows (``a`` ≠ ``b``). The API refuses a request
breaking one with a 422 naming the field (tested in test_strict_types.py and test_linkage_api.py); so that
``positive_data_acceptance`` is not asked to accept them, the generator is taught those rules
(:func:`_follows_unstated_rules`, a ``filter_case`` hook): it drops the positive cases that break one.

One more rule is the content of a file: a caselist upload's body is the file itself, and what makes it a caselist
(a header naming the case number, rows with readable dates; a workbook when its name says Excel) is checked by the
loader, 422 naming the row and column (tests/integration/loaders/test_caselist.py, test_linkage_api.py). Its
schema says only "a non-empty string". A positive case of ``POST /caselists`` is therefore sent with the
documented example file as its body (:func:`_a_real_caselist`, a ``map_case`` hook; the query, the agency and the
media type stay as generated), and one naming an Excel file is dropped (its body would have to be a workbook).
Nothing else is filtered or rewritten; no failure is filtered.

NDJSON bodies go on the wire through a serializer registered here (one JSON value a line), so the bulk endpoints
are fuzzed in both of their media types.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.engine import events, from_schema  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from graphsvc.api.routes.linkage import CASELIST_EXAMPLE  # noqa: E402
from tests.integration.api.conftest import TOWN, Api, make_api  # noqa: E402

pytestmark = pytest.mark.slow

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
    "missing_required_header",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
    "object_level_authorization",
)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
MAX_EXAMPLES = 6  # per operation and phase; with the coverage phase's cases far above 1,000 in all (printed)
MAX_RESPONSE_SECONDS = 30.0  # a hang, not a benchmark: the machine is shared with other jobs


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    """Rows one JSON value a line. A negative case's body that is not a list of rows has no NDJSON form of its own:
    it goes as one line holding that JSON value inside an array, which is no row either."""
    if isinstance(value, list):
        return b"".join(json.dumps(v).encode() + b"\n" for v in value)
    return json.dumps([value]).encode() + b"\n"


def _ordered(obj: dict[str, Any], low: str, high: str) -> bool:
    a, b = obj.get(low), obj.get(high)
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return True
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return True
    try:
        return bool(a <= b) if low not in ("opens",) else bool(a < b)
    except TypeError:
        return True


def _follows_unstated_rules(value: Any) -> bool:
    """Whether a body keeps the cross-field rules JSON Schema cannot state (see the module docstring)."""
    if isinstance(value, list):
        return all(_follows_unstated_rules(v) for v in value)
    if not isinstance(value, dict):
        return True
    pairs = (
        ("opens", "closes"),
        ("available", "maximum"),
        ("opened", "closed"),
        ("valid_from", "valid_until"),
        ("min_hours_per_session", "max_hours_per_session"),
        ("min_hours_per_session", "max_hours_per_week"),
    )
    if not all(_ordered(value, low, high) for low, high in pairs):
        return False
    preferred, refused = value.get("preferred"), value.get("refused")
    if (  # a profile's contact_channels
        isinstance(preferred, list)
        and isinstance(refused, list)
        and {json.dumps(c) for c in preferred} & {json.dumps(c) for c in refused}
    ):
        return False
    sheet, filename = value.get("sheet"), value.get("filename")
    if sheet is not None and not (  # a caselist's query: a sheet names a sheet of an Excel file
        isinstance(filename, str) and filename.lower().endswith(EXCEL_SUFFIXES)
    ):
        return False
    if isinstance(filename, str) and filename.lower().endswith(EXCEL_SUFFIXES):
        return False  # a caselist named as a workbook: the example file sent (see below) is CSV
    a, b = value.get("a"), value.get("b")
    if "decision" in value and isinstance(a, str) and a == b:  # a linkage decision's two rows
        return False
    if "host_id" in value and "title" in value and "host_label" in value and not _job_keeps_its_rules(value):
        return False
    return all(_follows_unstated_rules(v) for v in value.values())


def _job_keeps_its_rules(value: dict[str, Any]) -> bool:
    """A job (資源開発) has more rules between its fields than any other record: a task's windows do not overlap and
    cover its times a week, a piece is not longer than its task, task names differ, the shortest shift is not
    longer than the longest, the hours a week the host needs are covered by the tasks. Exactly those are its
    models' own "after" validators (an error located at a model, not at a field), so they decide here; an error
    at a field (a type, a bound, a pattern) is the schema's business and is not filtered."""
    from pydantic import ValidationError

    from graphsvc.domain.records import Job

    try:
        Job.model_validate({"id": "J-0001", **value})
    except ValidationError as err:
        errors = err.errors()
        return not all(
            e["type"] == "value_error" and (not e["loc"] or isinstance(e["loc"][-1], int)) for e in errors
        )
    return True


@dataclass
class Run:
    """What one engine run saw."""

    cases: int = 0
    responses: Counter[int] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    per_op: Counter[str] = field(default_factory=Counter)
    seconds: Counter[str] = field(default_factory=Counter)  # wall time per operation (all phases)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0


def run_engine(api: Api, config: dict[str, Any]) -> Run:
    """Run schemathesis' engine over the app with this configuration; collect cases, checks and failures."""
    cfg = SchemathesisConfig.from_dict(config)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app, config=cfg)

    @schema.hook("filter_case")
    def _unstated_rules(ctx: Any, case: Any) -> bool:
        meta = case.meta
        if meta is None or meta.generation.mode is not GenerationMode.POSITIVE:
            return True
        return _follows_unstated_rules(case.body) and _follows_unstated_rules(case.query)

    @schema.hook("map_case")
    def _a_real_caselist(ctx: Any, case: Any) -> Any:
        meta = case.meta
        if (
            meta is not None
            and meta.generation.mode is GenerationMode.POSITIVE
            and case.method.upper() == "POST"
            and case.path.endswith("/caselists")
        ):
            case.body = CASELIST_EXAMPLE
        return case

    out = Run()
    cpu, wall = time.process_time(), time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            rec = event.recorder
            out.cases += len(rec.cases)
            out.per_op[rec.label] += len(rec.cases)
            out.seconds[rec.label] += event.elapsed_time
            print(
                f"  {event.phase.value} {rec.label}: {len(rec.cases)} cases, {event.elapsed_time:.1f} s",
                flush=True,
            )
            out.operations.add(rec.label)
            for interaction in rec.interactions.values():
                if interaction.response is not None:
                    out.responses[interaction.response.status_code] += 1
            for case_id, nodes in rec.checks.items():
                for node in nodes:
                    out.checks[node.name] += 1
                    if node.failure_info is not None:
                        failure = node.failure_info.failure
                        interaction = rec.interactions.get(case_id)
                        got = interaction.response if interaction is not None else None
                        answered = (
                            f"{got.status_code} {(got.content or b'')[:300]!r}"
                            if got is not None
                            else "no response"
                        )
                        out.failures.append(
                            f"[{node.name}] {rec.label}: {failure.title}\n{failure.message[:500]}\n"
                            f"answered: {answered}\n{node.failure_info.code_sample[:800]}"
                        )
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            out.errors.append(str(getattr(event, "value", event))[:500])
        elif isinstance(event, events.EngineFinished):
            out.failures.extend(f"[after run] {f.title}: {f.message[:500]}" for f in event.failures)
    out.cpu_seconds = time.process_time() - cpu
    out.wall_seconds = time.perf_counter() - wall
    return out


def base_config(api: Api, role: str, *, max_examples: int, seed: int) -> dict[str, Any]:
    return {
        "seed": seed,
        "generation": {"max-examples": max_examples, "deterministic": True, "mode": "all"},
        "checks": {
            **{c: {"enabled": True} for c in CHECKS},
            "max_response_time": MAX_RESPONSE_SECONDS,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": 6},
        },
        "headers": {"X-Purpose": "administration"},
        "auth": {"openapi": {"APIKey": {"bearer": api.keys[role]}}},
        "parameters": {"town": TOWN},
        "max-failures": 10_000,
    }


def _report(run: Run, label: str) -> str:
    return (
        f"schemathesis ({label}): {run.cases} cases over {len(run.operations)} operation scenarios, "
        f"{sum(run.checks.values())} checks ({', '.join(f'{k} {v}' for k, v in sorted(run.checks.items()))}), "
        f"responses {sorted(run.responses.items())}, {len(run.failures)} failures, {len(run.errors)} errors; "
        f"{run.cpu_seconds:.1f} s CPU, {run.wall_seconds:.1f} s wall; slowest: "
        + ", ".join(f"{op} {s:.0f} s" for op, s in run.seconds.most_common(5))
    )


@pytest.fixture
def fuzz_api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(tmp_path, api_rate_per_second=100_000.0, api_rate_burst=100_000)


def test_every_check_passes_on_every_operation(fuzz_api: Api) -> None:
    run = run_engine(fuzz_api, base_config(fuzz_api, "admin", max_examples=MAX_EXAMPLES, seed=17))
    print(_report(run, "admin"))
    assert not run.errors, "\n\n".join(run.errors[:10])
    assert not run.failures, f"{len(run.failures)} failures:\n\n" + "\n\n".join(run.failures[:15])
    assert run.cases >= 1000
    for check in CHECKS:
        if check not in (
            "use_after_free",
            "ensure_resource_availability",
        ):  # stateful only: counted when linked
            assert run.checks[check] > 0, f"{check} never ran"
    ok = sum(n for code, n in run.responses.items() if code < 300)
    refused = sum(n for code, n in run.responses.items() if code in (415, 422))
    assert ok >= 200 and refused >= 200, run.responses  # valid requests accepted, invalid ones refused
