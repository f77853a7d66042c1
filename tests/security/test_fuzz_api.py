"""schemathesis against the OpenAPI schema (issue 13): every operation of /api/ and /internal/,
positive and negative generated requests, with and without a signed-in session.

Every check schemathesis has for a response runs (no 5xx, status codes, content types, headers
and bodies as the schema documents them, negative data refused). The app is Django's WSGI
application called in-process (werkzeug's client, in the test's thread and transaction); the
session is a real session cookie of an applicant who has a case, with the CSRF token.

Bounded and reproducible: a fixed number of examples per operation, derandomized.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth

from accord.cases import services
from accord.cases.models import Case
from tests.cases.conftest import as_org, as_user
from tests.cases.factories import CaseApplicantFactory, make_application
from tests.factories import InstitutionFactory, MediationOrgFactory
from tests.security.fuzzing import MAX_EXAMPLES, NOT_RUN, django_wsgi, fuzz_operations

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    with django_wsgi() as app:
        yield app


@pytest.fixture
def api_schema(wsgi_app: Any) -> Any:
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        # The session is the test's (a real cookie): no generated credentials.
        with_security_parameters=False,
    )
    return schema


@pytest.fixture
def applicant_case() -> Case:
    org = as_org(MediationOrgFactory(code="FMC", name="金融纠纷调解中心"))
    bank = as_org(InstitutionFactory(code="BANK", name="示例银行"))
    applicant = as_user(CaseApplicantFactory(phone="13900000001", display_name="Alice"))
    return services.case_apply(
        applicant=applicant, application=make_application(organization=org, respondent=bank)
    )


@pytest.fixture
def session(applicant_case: Case) -> dict[str, Any]:
    """Cookies and headers of a signed-in browser: the session and the CSRF token."""
    client = Client()
    client.force_login(as_user(applicant_case.applicant))
    # Django takes the unmasked secret in the header as well as a masked token.
    secret = get_random_string(32)
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: secret,
        },
        "headers": {"X-CSRFToken": secret},
        "case_no": applicant_case.case_no,
    }


def fuzz(schema: Any, call: Callable[[Any], None]) -> list[str]:
    """Run ``call`` on generated cases of every operation, positive then negative; the
    failures, one line of operation and mode and schemathesis's report each."""
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every public operation (the media worker's are on the internal listener, not here).
    assert len(operations) >= 45, [op.label for op in operations]
    return fuzz_operations(operations, call)


def test_every_operation_without_a_session(api_schema: Any) -> None:
    failures = fuzz(api_schema, lambda case: case.call_and_validate(excluded_checks=NOT_RUN))
    assert not failures, "\n\n".join(failures)


def test_every_operation_with_a_signed_in_session(api_schema: Any, session: dict[str, Any]) -> None:
    def call(case: Any) -> None:
        _on_the_case(case, session["case_no"])
        case.call_and_validate(
            headers=session["headers"],
            cookies=session["cookies"],
            # The session is not schemathesis's to drop: the run without it proves every
            # operation refuses a request without one.
            excluded_checks=[*NOT_RUN, ignored_auth],
        )

    failures = fuzz(api_schema, call)
    assert not failures, "\n\n".join(failures)


def _on_the_case(case: Any, case_no: str) -> None:
    """Positive requests about a case go to the applicant's own (else nearly all are 404)."""
    if "case_no" in (case.path_parameters or {}) and not (
        case.meta is not None and case.meta.generation.mode.is_negative
    ):
        case.path_parameters["case_no"] = case_no
