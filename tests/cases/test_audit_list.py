"""Auditors land on a list of the cases they may audit and read those case pages,
read only: no action, no upload. Others still get 404."""

from __future__ import annotations

import io
from datetime import date

import pytest

from accord.audit.models import TraceEvent
from accord.cases import selectors, services
from accord.cases.audit_scope import register_audit_scope, unregister_audit_scope
from accord.cases.models import Case
from accord.orgs.models import Role
from tests.cases.conftest import member
from tests.cases.test_materials import PDF
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def audrey(org):
    return member(UserFactory(username="audrey", display_name="Audrey"), Role.AUDITOR, org)


@pytest.fixture
def ivan(other_org):
    """An auditor of another organization."""
    return member(UserFactory(username="ivan"), Role.AUDITOR, other_org)


def test_an_auditor_lands_on_my_cases_and_finds_the_case_there(client, audrey, case):
    client.force_login(audrey)
    page = client.get("/en/cases/").content.decode()
    assert "Cases you may audit" in page
    assert f'href="/en/cases/{case.case_no}/"' in page
    assert 'href="/en/cases/audit/"' in page


def test_the_audit_list_filters_like_the_case_list(client, audrey, case):
    client.force_login(audrey)
    page = client.get("/en/cases/audit/").content.decode()
    assert case.case_no in page and "张三" in page
    assert case.case_no not in client.get("/en/cases/audit/?state=closed").content.decode()


def test_the_auditor_reads_the_case_page_without_party_actions(client, audrey, case):
    client.force_login(audrey)
    response = client.get(f"/en/cases/{case.case_no}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="read-only"' in page
    assert "/transition/" not in page
    assert f"/cases/{case.case_no}/evidence/" not in page  # no upload form


def test_the_auditor_still_cannot_act_or_upload(client, audrey, case):
    client.force_login(audrey)
    response = client.post(
        f"/en/cases/{case.case_no}/transition/", {"to": "accepted", "confirmed": "on"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "submitted"


def test_an_auditor_of_another_organization_gets_404(client, ivan, case):
    client.force_login(ivan)
    assert client.get(f"/en/cases/{case.case_no}/").status_code == 404
    assert case.case_no not in client.get("/en/cases/audit/").content.decode()


def test_an_inactive_auditor_membership_audits_nothing(client, audrey, case):
    audrey.memberships.update(is_active=False)
    client.force_login(audrey)
    assert client.get(f"/en/cases/{case.case_no}/").status_code == 404


def test_an_auditor_of_the_entrusting_court_audits_its_cases(court, cleo, application, case):
    entrusted = services.case_entrust_by_court(
        clerk=cleo,
        court=court,
        application=application(),
        court_case_no="(2026)民初1号",
        entrusted_on=date(2026, 3, 2),
    )
    court_auditor = member(UserFactory(username="ca"), Role.AUDITOR, court)
    assert list(selectors.case_list_for_audit(user=court_auditor)) == [entrusted]


def test_a_registered_provider_widens_the_scope(client, charlie, case):
    def everything(user):
        return Case.objects.values_list("id", flat=True)

    register_audit_scope(everything)
    try:
        client.force_login(charlie)
        assert client.get(f"/en/cases/{case.case_no}/").status_code == 200
    finally:
        unregister_audit_scope(everything)
    assert client.get(f"/en/cases/{case.case_no}/").status_code == 404


def test_the_auditor_opens_an_evidence_file_and_the_trace_names_the_role(client, audrey, case):
    evidence = services.material_upload(
        case=case, user=case.applicant, name="合同.pdf", stream=io.BytesIO(PDF), size=len(PDF)
    )
    client.force_login(audrey)
    response = client.get(f"/en/cases/{case.case_no}/evidence/{evidence.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    event = TraceEvent.objects.filter(chain=case.chain).latest("seq")
    assert (event.action, event.actor["role"]) == ("evidence.accessed", "auditor")
