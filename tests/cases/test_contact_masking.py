"""The applicant's phone, ID card number and credit code: staff of the respondent institution
see them masked, on the case page, the case list and the API, until they need them to perform
(the institution agreed to mediate and the case is in mediation, or an agreement was reached);
after a decline they stay masked. Everyone else who takes part in the case sees them."""

from __future__ import annotations

import pytest

from accord.cases import services
from accord.cases.masking import mask_bank_account, mask_id_number, mask_identifier, mask_phone
from accord.cases.models import ApplicantType, Case, CaseState
from tests.cases.conftest import api_client
from tests.cases.factories import credit_code

pytestmark = pytest.mark.django_db

S = CaseState
PHONE = "13900000001"
MASKED_PHONE = "139****0001"
ID_NUMBER = "11010519900307123X"
MASKED_ID = "110***********123X"
CODE = credit_code()


@pytest.fixture
def person_case(alice, application) -> Case:
    return services.case_apply(
        applicant=alice, application=application(applicant_id_number=ID_NUMBER)
    )


def html(client, user, case: Case) -> str:
    client.force_login(user)
    return client.get(f"/en/cases/{case.case_no}/").content.decode()


def api(user, case: Case) -> dict:
    return api_client(user).get(f"/api/cases/{case.case_no}/").json()


def assert_masked(client, user, case: Case) -> None:
    page = html(client, user, case)
    assert PHONE not in page and ID_NUMBER not in page
    assert MASKED_PHONE in page and MASKED_ID in page
    body = api(user, case)
    assert body["applicant_phone"] == MASKED_PHONE
    assert "applicant_id_number" not in body  # never in the API, masked or not
    assert body["contact_masked"] is True
    assert PHONE not in str(body) and ID_NUMBER not in str(body)


def assert_clear(client, user, case: Case) -> None:
    page = html(client, user, case)
    assert PHONE in page and ID_NUMBER in page
    body = api(user, case)
    assert body["applicant_phone"] == PHONE and "applicant_id_number" not in body
    assert body["contact_masked"] is False


def test_the_masks():
    assert mask_identifier(ID_NUMBER) == MASKED_ID
    assert mask_identifier(CODE) == CODE[:3] + "*" * 11 + CODE[-4:]
    assert mask_identifier("") == "" and mask_identifier("1234567") == "*******"


def test_masked_for_the_institution_until_it_agreed_and_mediation_runs(
    client, person_case, drive, ada, ben, mia
):
    case = person_case
    assert_masked(client, ben, case)  # submitted
    drive(case, S.ACCEPTED)
    assert_masked(client, ben, case)
    services.case_answer(case=case, user=ben, decision="agree")
    assert_masked(client, ben, case)  # agreed, but not in mediation yet
    services.case_assign_mediator(case=case, user=ada, mediator=mia)
    assert_masked(client, ben, case)
    services.case_start_mediation(case=case, user=mia)
    assert_clear(client, ben, case)  # it must contact the applicant now
    services.case_record_outcome(case=case, user=mia, outcome=S.AGREEMENT)
    assert_clear(client, ben, case)  # and perform the agreement
    services.case_close(case=case, user=mia)
    assert_clear(client, ben, case)


def test_masked_again_when_mediation_fails_and_after_a_decline(
    client, person_case, drive, application, alice, ben, mia
):
    case = person_case
    drive(case, S.ACCEPTED)
    services.case_answer(case=case, user=ben, decision="decline", reasons="不同意调解")
    assert_masked(client, ben, case)

    failed = services.case_apply(
        applicant=alice, application=application(applicant_id_number=ID_NUMBER)
    )
    drive(failed, S.MEDIATING)
    assert_masked(client, ben, failed)  # mediating, but the institution never agreed
    services.case_record_outcome(case=failed, user=mia, outcome=S.FAILED)
    assert_masked(client, ben, failed)


def test_the_others_see_the_contact_details(client, person_case, drive, alice, ada, mia):
    drive(person_case, S.ASSIGNED)
    for user in (alice, ada, mia):
        assert_clear(client, user, person_case)


def test_a_legal_persons_credit_code_is_masked_for_the_institution(
    client, alice, application, ben, ada
):
    case = services.case_apply(
        applicant=alice,
        application=application(
            applicant_type=ApplicantType.LEGAL_PERSON,
            applicant_name="某某有限公司",
            credit_code=CODE,
            representative="李四",
        ),
    )
    page = html(client, ben, case)
    assert CODE not in page and mask_identifier(CODE) in page
    assert api(ben, case)["credit_code"] == mask_identifier(CODE)
    assert CODE in html(client, ada, case)
    assert api(ada, case)["credit_code"] == CODE


def test_the_case_list_shows_the_institution_no_contact_details(client, person_case, ben):
    client.force_login(ben)
    page = client.get("/en/cases/").content.decode()
    assert person_case.case_no in page
    assert PHONE not in page and ID_NUMBER not in page
    listed = api_client(ben).get("/api/cases/").json()
    assert [c["case_no"] for c in listed] == [person_case.case_no]
    assert PHONE not in str(listed) and ID_NUMBER not in str(listed)


def test_the_id_number_and_bank_account_masks():
    assert mask_id_number(ID_NUMBER) == MASKED_ID
    assert mask_id_number(" 11010519900307123x ") == MASKED_ID
    assert mask_bank_account("6222 0212 3456 1234") == "6222********1234"
    assert mask_bank_account("6222-0212-3456-7890-123") == "6222" + "*" * 11 + "0123"
    assert mask_bank_account("12345678") == "********"
    assert mask_phone(PHONE) == MASKED_PHONE


def test_the_regulator_officer_and_court_clerk_who_brought_a_case_see_it_in_full(
    client, olga, regulator, cleo, court, application
):
    assigned = services.case_assign_by_regulator(
        officer=olga,
        regulator=regulator,
        application=application(applicant_id_number=ID_NUMBER),
        complaint_reference="TS-2026-0042",
    )
    assert_clear(client, olga, assigned)
    from datetime import date

    entrusted = services.case_entrust_by_court(
        clerk=cleo,
        court=court,
        application=application(applicant_id_number=ID_NUMBER),
        court_case_no="(2026)京01民初123号",
        entrusted_on=date(2026, 3, 2),
    )
    assert_clear(client, cleo, entrusted)


def test_the_administrator_a_transfer_is_offered_to_sees_them_masked(
    client, person_case, ada, other_org
):
    from accord.orgs.models import Role
    from tests.cases.conftest import member
    from tests.factories import UserFactory

    olivia = member(UserFactory(username="olivia"), Role.ORG_ADMIN, other_org)
    services.case_transfer_request(
        case=person_case, user=ada, to_organization=other_org, reason="Closer to the applicant."
    )
    # Olivia may read the case to decide, but needs no way to reach the applicant yet.
    assert_masked(client, olivia, person_case)
