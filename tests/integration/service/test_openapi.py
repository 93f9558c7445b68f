"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

Every operation gets generated requests, with a token of the highest role so that each reaches
its handler: no answer may be a server error, and every answer must match the schema.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tests.integration.service.conftest import quiet_settings
from verifier.service.app import create_app
from verifier.service.queue import make_queue
from verifier.service.server import first_admin, open_context

# schemathesis builds its tests from the schema when the module is collected, so the app (on a
# data folder of its own) is made here rather than in a fixture.
_FOLDER = Path(tempfile.mkdtemp(prefix="verifier-openapi-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
_CONTEXT = open_context(_FOLDER / "data", quiet_settings(), _FOLDER)
# Not immediate: queued runs stay queued, so generated requests never reach the network.
_APP = create_app(_CONTEXT, make_queue(_CONTEXT))
_TOKEN = first_admin(_CONTEXT) or ""
_CONTEXT.db.create_source("seeded", {"url": {"href": "https://example.org/"}, "settings": {}}, None, "test")

schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_to_its_schema(case: schemathesis.Case) -> None:
    # A request can fit the schema and still be refused for what it means (a URL and a domain
    # in one override, a source that names two kinds): those answers are checked, not excused.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {_TOKEN}"}, excluded_checks=[positive_data_acceptance]
    )
