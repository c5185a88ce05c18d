"""Schemathesis over the app's own OpenAPI schema, in process (ASGI): no generated request, valid or not,
gets a server error or an answer that breaks the documented schema.

Schemathesis' ``from_fixture`` does not run under pytest 9 (it reads ``node._nodeid``), so each operation's
case strategy is driven by Hypothesis here, one test per operation, a bounded number of examples each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from marsad.web.app import create_app
from tests.api.conftest import copy_of

TOKEN = "schemathesis-token-0123456789"
OPERATIONS = [
    ("GET", "/api/health"), ("GET", "/api/articles"), ("GET", "/api/articles/{article_id}"),
    ("GET", "/api/articles/{article_id}/related"), ("GET", "/api/stories"), ("GET", "/api/stories/top"),
    ("GET", "/api/stories/{story_id}"), ("GET", "/api/search"), ("GET", "/api/entities"),
    ("GET", "/api/entities/{cid}"), ("GET", "/api/sources"), ("GET", "/api/sources/{name}"),
    ("POST", "/api/ingest/page"), ("POST", "/api/ingest/records"),
    ("GET", "/api/watchlists"), ("GET", "/api/watchlists/{name}"), ("POST", "/api/watchlists"),
    ("DELETE", "/api/watchlists/{name}"),
]
EXAMPLES = {"POST": 4}          # each accepted write runs a real ingest
DEFAULT_EXAMPLES = 15


@pytest.fixture(scope="session")
def api_schema(sample_db: Path | str, api_backend: str, request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The schema of an app over a copy of the sample store (in the backend under test), with a token so the
    write endpoints run too."""
    copy = copy_of(sample_db, api_backend, request, tmp_path_factory.mktemp("schemathesis"))
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(copy, token=TOKEN))


def test_every_operation_is_exercised(api_schema: Any) -> None:
    found = {(r.ok().method.upper(), r.ok().path) for r in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


# nothing to make invalid
NO_PARAMETERS = {("GET", "/api/health"), ("GET", "/api/sources"), ("GET", "/api/watchlists")}
CASES = [(m, p, mode) for m, p in OPERATIONS for mode in GenerationMode
         if mode is GenerationMode.POSITIVE or (m, p) not in NO_PARAMETERS]


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_operation_conforms_to_its_schema(api_schema: Any, method: str, path: str, mode: GenerationMode) -> None:
    """Generated requests, valid (positive) and invalid (negative), get documented answers, never a 5xx."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode), _=st.just(None))
    @settings(max_examples=EXAMPLES.get(method, DEFAULT_EXAMPLES), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case, _: None) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"} if method in ("POST", "DELETE") else None
        response = case.call(headers=headers)
        assert response.status_code < 500, response.text
        case.validate_response(response, checks=[status_code_conformance, content_type_conformance,
                                                 response_schema_conformance], headers=headers)

    run()
