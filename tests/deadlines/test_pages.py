"""The overdue view (administrators of the organization only), the "Time limits" section of
the case page with its consent buttons and extension form, and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.cases import services
from accord.cases.models import CaseState
from accord.deadlines.extensions import extension_request
from accord.deadlines.models import Deadline, DeadlineKind, ExtensionStatus
from tests.cases.conftest import api_client
from tests.deadlines.conftest import D, deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_case(case, drive):
    drive(case, CaseState.MEDIATING)
    Deadline.objects.filter(case=case, kind=DeadlineKind.MEDIATION).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    return case


def test_the_overdue_view_lists_the_admins_overdue_cases_with_links(client, ada, overdue_case, org):
    client.force_login(ada)
    manage = client.get(f"/en/orgs/manage/{org.code}/").content.decode()
    assert f'href="/en/deadlines/overdue/{org.code}/"' in manage

    for path in (f"/en/deadlines/overdue/{org.code}/", "/en/deadlines/overdue/"):
        response = client.get(path)
        assert response.status_code == 200
        page = response.content.decode()
        assert f'href="/en/cases/{overdue_case.case_no}/#time-limits"' in page
        assert 'data-kind="mediation"' in page
        assert "overdue" in page
    # The answer deadline (5 working days from today) is not due within three working days.
    assert 'data-kind="answer"' not in page


def test_the_overdue_view_is_for_administrators_only(
    client, mia, ben, alice, charlie, org, overdue_case
):
    for user in (mia, ben, alice):
        client.force_login(user)
        assert client.get(f"/en/deadlines/overdue/{org.code}/").status_code == 404
        assert client.get("/en/deadlines/overdue/").status_code == 403
    # An administrator of another organization sees neither this one nor its cases.
    client.force_login(charlie)
    assert client.get(f"/en/deadlines/overdue/{org.code}/").status_code == 404
    page = client.get("/en/deadlines/overdue/").content.decode()
    assert overdue_case.case_no not in page
    client.logout()
    assert client.get("/en/deadlines/overdue/").status_code == 302


def test_the_case_page_shows_the_time_limits_with_the_provisional_explanation(
    client, court_case, ada, alice
):
    case = court_case(materials_signed_on=D(2026, 12, 2))
    services.case_accept(case=case, user=ada)
    client.force_login(ada)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert 'data-testid="case-deadlines"' in page
    assert 'data-kind="court_mediation"' in page and 'data-provisional="true"' in page
    assert "2027-01-01" in page
    assert "the holidays of a year this date depends on are not entered yet" in page
    assert "Does not count toward the court" not in page  # no extension yet
    assert f'href="/en/deadlines/cases/{case.case_no}/' in page  # the extension form
    # In Chinese (the default language) too.
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    assert "期限" in page and "暂定" in page


def test_a_party_consents_on_the_case_page(client, case, drive, mia, alice, ben):
    drive(case, CaseState.MEDIATING)
    mediation = deadline(case, DeadlineKind.MEDIATION)
    client.force_login(mia)
    response = client.post(
        f"/en/deadlines/cases/{case.case_no}/{mediation.pk}/extend/",
        {"days": "0", "reason": "x"},
    )
    assert response.status_code == 400
    assert "from 1 to 365" in response.content.decode()
    response = client.post(
        f"/en/deadlines/cases/{case.case_no}/{mediation.pk}/extend/",
        {"days": "7", "reason": "补充证据"},
    )
    assert response.status_code == 302
    extension = mediation.extensions.get()

    client.force_login(alice)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert 'data-testid="consent-applicant"' in page
    assert 'data-testid="consent-institution"' not in page
    assert 'data-testid="apply-extension"' not in page
    client.post(
        f"/en/deadlines/cases/{case.case_no}/extensions/{extension.pk}/answer/",
        {"party": "applicant", "consents": "yes"},
    )
    # Applying before the institution consented is refused on the page too.
    client.force_login(mia)
    client.post(f"/en/deadlines/cases/{case.case_no}/extensions/{extension.pk}/apply/")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING
    client.force_login(ben)
    client.post(
        f"/en/deadlines/cases/{case.case_no}/extensions/{extension.pk}/answer/",
        {"party": "institution", "consents": "yes"},
    )
    client.force_login(mia)
    client.post(f"/en/deadlines/cases/{case.case_no}/extensions/{extension.pk}/apply/")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPLIED


def test_outsiders_get_404_on_the_deadline_pages(client, case, drive, charlie):
    drive(case, CaseState.MEDIATING)
    mediation = deadline(case, DeadlineKind.MEDIATION)
    client.force_login(charlie)
    assert (
        client.get(f"/en/deadlines/cases/{case.case_no}/{mediation.pk}/extend/").status_code == 404
    )
    assert api_client(charlie).get(f"/api/cases/{case.case_no}/deadlines/").status_code == 404


def test_the_api_lists_the_deadlines_with_provisional_and_extensions(court_case, ada, ben):
    case = court_case(materials_signed_on=D(2026, 12, 2))
    services.case_accept(case=case, user=ada)
    court = deadline(case, DeadlineKind.COURT_MEDIATION)
    extension_request(deadline=court, user=ada, days=10, reason="当事人协商")

    response = api_client(ben).get(f"/api/cases/{case.case_no}/deadlines/")
    assert response.status_code == 200
    data = {d["kind"]: d for d in response.json()}
    assert set(data) == {"answer", "court_mediation"}
    item = data["court_mediation"]
    assert {k: item[k] for k in ("kind", "starts_on", "due", "provisional", "status")} == {
        "kind": "court_mediation",
        "starts_on": "2026-12-02",
        "due": "2027-01-01",
        "provisional": True,
        "status": "open",
    }
    [ext] = item["extensions"]
    assert ext["days"] == 10 and ext["status"] == "pending"
    assert ext["outside_trial_period"] is True
    assert ext["missing_consents"] == ["applicant", "institution"]
    assert ext["consents"] == [
        {"party": "applicant", "consents": None, "recorded_at": None},
        {"party": "institution", "consents": None, "recorded_at": None},
    ]
    assert all("provisional" in d for d in response.json())


def test_the_api_consent_and_apply(case, drive, mia, alice, ben):
    drive(case, CaseState.MEDIATING)
    mediation = deadline(case, DeadlineKind.MEDIATION)
    base = f"/api/cases/{case.case_no}"
    created = api_client(mia).post(
        f"{base}/deadlines/{mediation.pk}/extensions/", {"days": 5, "reason": "补充"}, format="json"
    )
    assert created.status_code == 201
    ext_id = created.json()["id"]
    refused = api_client(mia).post(f"{base}/extensions/{ext_id}/apply/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "consent_missing"
    forbidden = api_client(mia).post(
        f"{base}/extensions/{ext_id}/answer/", {"party": "applicant", "consents": True}
    )
    assert forbidden.status_code == 403
    for user, party in ((alice, "applicant"), (ben, "institution")):
        answered = api_client(user).post(
            f"{base}/extensions/{ext_id}/answer/", {"party": party, "consents": True}
        )
        assert answered.status_code == 200
    applied = api_client(mia).post(f"{base}/extensions/{ext_id}/apply/")
    assert applied.status_code == 200
    body = applied.json()
    assert body["extension_days"] == 5 and "provisional" in body and "due" in body
