"""Who sees which case (R4): "my cases" for each role, and 404 for everyone else."""

from __future__ import annotations

from datetime import date

import pytest

from accord.cases import services
from accord.cases.models import CaseState
from accord.cases.selectors import case_list_for_user
from accord.orgs.models import Role
from tests.cases.conftest import api_client, member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(alice, bob, olga, cleo, regulator, court, application, other_bank, ada, mia, drive):
    """alice's own case (assigned to mia), bob's case against another bank, a
    regulator-assigned and a court-entrusted case."""
    own = services.case_apply(applicant=alice, application=application())
    drive(own, CaseState.ASSIGNED)
    other = services.case_apply(
        applicant=bob, application=application(respondent=other_bank, applicant_phone="13900000002")
    )
    assigned = services.case_assign_by_regulator(
        officer=olga,
        regulator=regulator,
        application=application(applicant_phone="13900000077"),
    )
    entrusted = services.case_entrust_by_court(
        clerk=cleo,
        court=court,
        application=application(applicant_phone="13900000078"),
        court_case_no="(2026)民初1号",
        entrusted_on=date(2026, 1, 5),
    )
    return {"own": own, "other": other, "assigned": assigned, "entrusted": entrusted}


def visible(user) -> set[str]:
    return set(case_list_for_user(user=user).values_list("case_no", flat=True))


def names(cases, *keys) -> set[str]:
    return {cases[key].case_no for key in keys}


def test_each_role_sees_exactly_its_cases(
    cases, alice, bob, ada, mia, max_, ben, olga, cleo, charlie, regulator
):
    assert visible(alice) == names(cases, "own")
    assert visible(bob) == names(cases, "other")
    assert visible(ada) == names(cases, "own", "other", "assigned", "entrusted")
    assert visible(mia) == names(cases, "own")  # assigned to her
    assert visible(max_) == set()  # a mediator sees only his assigned cases
    assert visible(ben) == names(cases, "own", "assigned", "entrusted")  # against BANK
    assert visible(olga) == names(cases, "assigned")
    assert visible(cleo) == names(cases, "entrusted")
    assert visible(charlie) == set()
    # Another officer of the same regulator did not assign it.
    colleague = member(UserFactory(username="olaf"), Role.REGULATOR_OFFICER, regulator)
    assert visible(colleague) == set()


def test_losing_a_role_loses_the_cases(cases, ben, mia):
    ben.memberships.update(is_active=False)
    mia.memberships.update(is_active=False)
    assert visible(ben) == set() and visible(mia) == set()


def test_an_inactive_user_sees_nothing(cases, alice):
    alice.is_active = False
    alice.save()
    assert visible(alice) == set()


@pytest.mark.parametrize(
    "path",
    [
        "/cases/{no}/",
        "/en/cases/{no}/",
    ],
)
def test_an_outsider_gets_404_on_the_page_exactly_like_a_missing_case(client, cases, charlie, path):
    client.force_login(charlie)
    case_no = cases["own"].case_no
    assert client.get(path.format(no=case_no)).status_code == 404
    assert client.get(path.format(no="FMC-2026-99999")).status_code == 404


def test_an_outsider_gets_404_on_every_case_url(client, cases, charlie):
    client.force_login(charlie)
    no = cases["own"].case_no
    assert client.post(f"/cases/{no}/transition/", {"to": "mediating"}).status_code == 404
    assert client.post(f"/cases/{no}/evidence/", {}).status_code == 404
    api = api_client(charlie)
    for response in (
        api.get(f"/api/cases/{no}/"),
        api.post(f"/api/cases/{no}/transitions/", {"to": "mediating"}, format="json"),
        api.get(f"/api/cases/{no}/evidence/"),
        api.post(f"/api/cases/{no}/evidence/", {}, format="multipart"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    cases["own"].refresh_from_db()
    assert cases["own"].state == CaseState.ASSIGNED


def test_the_my_cases_page_lists_what_the_user_sees(client, cases, ben):
    client.force_login(ben)
    page = client.get("/cases/").content.decode()
    for key in ("own", "assigned", "entrusted"):
        assert cases[key].case_no in page
    assert cases["other"].case_no not in page


def test_the_api_list_is_the_same_selection(cases, olga):
    body = api_client(olga).get("/api/cases/").json()
    assert [c["case_no"] for c in body] == [cases["assigned"].case_no]


def test_signed_out_visitors_are_sent_to_sign_in(client, cases):
    response = client.get(f"/cases/{cases['own'].case_no}/")
    assert response.status_code == 302
    assert "/accounts/signin/" in response["Location"]
    assert api_client().get("/api/cases/").status_code == 403
