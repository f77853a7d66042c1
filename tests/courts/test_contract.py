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
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth

from accord.courts import signing
from accord.courts.models import CourtDocking, CourtKey
from accord.orgs.models import OrgKind
from tests.cases.conftest import as_org
from tests.factories import InstitutionFactory, MediationOrgFactory, OrganizationFactory
from tests.security.fuzzing import MAX_EXAMPLES, NOT_RUN, django_wsgi, fuzz_operations

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


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
    with django_wsgi() as app:
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", signing_app(app, court_key)
        )
        schema.config.generation.update(
            modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            max_examples=MAX_EXAMPLES,
            deterministic=True,
            with_security_parameters=False,
        )
        yield schema


def test_every_court_operation_signed_answers_as_documented(signed_schema: Any) -> None:
    operations = [
        op
        for op in (result.ok() for result in signed_schema.get_all_operations())
        if op.path.startswith("/api/court/v1/")
    ]
    assert len(operations) == 8, [op.label for op in operations]
    # Signed by the wrapper: dropping the auth is the unsigned run's business.
    failures = fuzz_operations(
        operations,
        lambda case: case.call_and_validate(excluded_checks=[*NOT_RUN, ignored_auth]),
    )
    assert not failures, "\n\n".join(failures)
