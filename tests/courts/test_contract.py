"""Contract tests of the court API from its OpenAPI schema: schemathesis generates positive and
negative requests for every ``/api/court/v1/`` operation, each signed by a court's key (a WSGI
wrapper signs what is actually sent), and every response must be what the schema documents
(status, content type, body). The unsigned run is tests/security/test_fuzz_api.py."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from accord.courts import signing
from accord.courts.models import CourtDocking, CourtKey
from accord.orgs.models import OrgKind
from tests.cases.conftest import as_org
from tests.factories import InstitutionFactory, MediationOrgFactory, OrganizationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_EXAMPLES = 8
SETTINGS = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def signing_app(app: Callable[..., Any], key: CourtKey) -> Callable[..., Any]:
    """``app`` behind a court that signs every request exactly as it goes out."""

    def signed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        if environ.get("QUERY_STRING"):
            path = f"{path}?{environ['QUERY_STRING']}"
        headers = signing.signed_headers(
            key_id=key.key_id,
            secret=key.secret,
            method=environ["REQUEST_METHOD"],
            path=path,
            body=body,
        )
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        return app(environ, start_response)

    return signed


@pytest.fixture
def court_key() -> CourtKey:
    court = as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRTC"))
    org = as_org(MediationOrgFactory(code="MCC"))
    InstitutionFactory(code="BNKC")
    CourtDocking.objects.create(court=court, default_organization=org)
    return CourtKey.objects.create(court=court, key_id="ck_contract", secret="contract-secret")


@pytest.fixture
def signed_schema(court_key: CourtKey) -> Iterator[Any]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        app = signing_app(get_wsgi_application(), court_key)
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
        schema.config.generation.update(
            modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            max_examples=MAX_EXAMPLES,
            deterministic=True,
            with_security_parameters=False,
        )
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_court_operation_signed_answers_as_documented(signed_schema: Any) -> None:
    operations = [
        op
        for op in (result.ok() for result in signed_schema.get_all_operations())
        if op.path.startswith("/api/court/v1/")
    ]
    assert len(operations) == 8, [op.label for op in operations]
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                # Signed by the wrapper: dropping the auth is the unsigned run's business.
                case.call_and_validate(excluded_checks=[positive_data_acceptance, ignored_auth])

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
