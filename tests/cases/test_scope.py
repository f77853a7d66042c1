"""R9 scope check: every refused input names its field, and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.cases import services
from accord.cases.errors import OutOfScope
from accord.cases.models import Case
from accord.cases.scope import credit_code_is_valid
from accord.core.api import ServiceError
from tests.cases.conftest import snapshot
from tests.cases.factories import CourtFactory, credit_code
from tests.factories import InstitutionFactory, MediationOrgFactory

pytestmark = pytest.mark.django_db


def refused(alice, application, **overrides) -> ServiceError:
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_apply(applicant=alice, application=application(**overrides))
    assert snapshot() == before, "a refused application wrote something"
    return caught.value


# Out of scope: (overrides, field). The organizations are built in the test.
OUT_OF_SCOPE = {
    "no respondent": ({"respondent": None}, "respondent"),
    "not financial business": ({"business_type": "not_financial"}, "business_type"),
    "business type not in the list": ({"business_type": "gambling"}, "business_type"),
    "administrative dispute": ({"dispute_nature": "administrative"}, "dispute_nature"),
    "criminal matter": ({"dispute_nature": "criminal"}, "dispute_nature"),
    "unknown nature": ({"dispute_nature": "family"}, "dispute_nature"),
    "applicant of a fourth kind": ({"applicant_type": "government_agency"}, "applicant_type"),
    "no mediation organization": ({"organization": None}, "organization"),
}


@pytest.mark.parametrize("overrides,field", OUT_OF_SCOPE.values(), ids=OUT_OF_SCOPE.keys())
def test_an_out_of_scope_application_is_refused_on_its_field(alice, application, overrides, field):
    error = refused(alice, application, **overrides)
    assert isinstance(error, OutOfScope)
    assert error.code == "out_of_scope"
    assert list(error.fields) == [field]
    assert error.fields[field][0]


def test_the_respondent_must_be_a_financial_institution(alice, application, org):
    for not_an_institution in (org, CourtFactory(), MediationOrgFactory(code="XMC")):
        error = refused(alice, application, respondent=not_an_institution)
        assert error.code == "out_of_scope"
        assert "not a financial institution" in error.fields["respondent"][0]


def test_the_respondent_must_be_active(alice, application):
    closed = InstitutionFactory(code="GONE", is_active=False)
    error = refused(alice, application, respondent=closed)
    assert error.code == "out_of_scope"
    assert "not an active financial institution" in error.fields["respondent"][0]


def test_the_organization_must_be_a_mediation_organization(alice, application, bank):
    error = refused(alice, application, organization=bank)
    assert error.code == "out_of_scope"
    assert "not a mediation organization" in error.fields["organization"][0]


def test_an_inactive_mediation_organization_takes_no_cases(alice, application):
    error = refused(alice, application, organization=MediationOrgFactory(is_active=False))
    assert "not taking cases" in error.fields["organization"][0]


# Malformed (code "invalid"): (overrides, field, words in the message).
INVALID = {
    "negative amount": ({"amount": Decimal("-0.01")}, "amount", "negative"),
    "three decimal places": ({"amount": Decimal("1.005")}, "amount", "two decimal places"),
    "amount too large": ({"amount": Decimal("1e15")}, "amount", "too large"),
    "amount not a number": ({"amount": Decimal("NaN")}, "amount", "number"),
    "no applicant name": ({"applicant_name": "  "}, "applicant_name", "name"),
    "no phone": ({"applicant_phone": ""}, "applicant_phone", "phone"),
    "bad phone": ({"applicant_phone": "12345"}, "applicant_phone", "11-digit"),
    "bad ID number": ({"applicant_id_number": "1234"}, "applicant_id_number", "18"),
    "no description": ({"description": ""}, "description", "Describe"),
    "legal person without credit code": (
        {"applicant_type": "legal_person", "representative": "王五"},
        "credit_code",
        "needed",
    ),
    "legal person with a wrong check character": (
        {
            "applicant_type": "legal_person",
            "representative": "王五",
            "credit_code": "9144030071526726XA",
        },
        "credit_code",
        "not a valid",
    ),
    "legal person without representative": (
        {"applicant_type": "legal_person", "credit_code": "9144030071526726XG"},
        "representative",
        "representative",
    ),
    "unincorporated organization without person in charge": (
        {"applicant_type": "unincorporated"},
        "representative",
        "person in charge",
    ),
}


@pytest.mark.parametrize("overrides,field,words", INVALID.values(), ids=INVALID.keys())
def test_a_malformed_application_is_refused_on_its_field(
    alice, application, overrides, field, words
):
    error = refused(alice, application, **overrides)
    assert not isinstance(error, OutOfScope)
    assert error.code == "invalid"
    assert list(error.fields) == [field]
    assert words in error.fields[field][0]


def test_every_problem_is_reported_at_once_and_scope_wins_the_code(alice, application):
    error = refused(
        alice,
        application,
        business_type="not_financial",
        amount=Decimal("-5"),
        applicant_name="",
    )
    assert error.code == "out_of_scope"
    assert set(error.fields) == {"business_type", "amount", "applicant_name"}


def test_a_zero_amount_and_no_amount_are_accepted(alice, application):
    services.case_apply(applicant=alice, application=application(amount=Decimal("0")))
    services.case_apply(applicant=alice, application=application(amount=None))
    assert Case.objects.count() == 2


@pytest.mark.parametrize("applicant_type", ["legal_person", "unincorporated"])
def test_organizations_can_apply(alice, application, applicant_type):
    case = services.case_apply(
        applicant=alice,
        application=application(
            applicant_type=applicant_type,
            applicant_name="示例科技有限公司",
            credit_code=credit_code(),
            representative="王五",
        ),
    )
    assert case.applicant_type == applicant_type
    assert case.credit_code == credit_code()


def test_the_credit_code_check_character_is_verified():
    # Published codes of two listed companies, and the independent computation.
    assert credit_code_is_valid("9144030071526726XG")
    assert credit_code_is_valid("91330100799655058B")
    assert credit_code_is_valid(credit_code("91320000MA1XXXXXX0"))
    assert not credit_code_is_valid("91330100799655058C")
    assert not credit_code_is_valid("9133010079965505")  # too short
    assert not credit_code_is_valid("9133010079965505IB")  # I is not in the alphabet
