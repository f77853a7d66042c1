"""The expert sees the statements and evidence of the one case they evaluate, only once they
declared their independence, read only and without the applicant's contact details; never
another case; and nothing again once the appointment ends."""

from __future__ import annotations

import pytest

from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.evaluation import services
from accord.evaluation.models import EvaluationStatus
from accord.orgs.models import Role
from tests.cases.conftest import api_client, member
from tests.evaluation.conftest import ALICE_PHONE, appointed, declared, events, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _material_url(case):
    material = case.materials.order_by("id").first()
    return f"/en/cases/{case.case_no}/evidence/{material.uuid}/"


def test_before_the_declaration_the_expert_sees_only_who_the_parties_are(
    client, mediating, ada, erin
):
    evaluation, _appointment = appointed(mediating, ada, erin)
    client.force_login(erin)
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 404
    assert client.get(_material_url(mediating)).status_code == 404
    assert api_client(erin).get(f"/api/cases/{mediating.case_no}/evaluations/").status_code == 404
    page = client.get(f"/en/evaluation/{evaluation.uuid}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="declaration-form"' in text
    assert mediating.applicant_name in text and mediating.respondent.name in text
    assert mediating.description not in text
    assert 'data-testid="dossier"' not in text
    assert "双方对风险揭示事实争议较大" not in text  # the request's reason is case content
    body = api_client(erin).get(f"/api/evaluations/{evaluation.uuid}/").json()
    assert (body["dossier"], body["reason"]) == (None, None)
    assert body["parties"]["applicant_name"] == mediating.applicant_name


def test_after_the_declaration_the_expert_reads_the_case_with_contact_details_masked(
    client, mediating, ada, erin
):
    evaluation, _appointment = declared(mediating, ada, erin)
    client.force_login(erin)
    page = client.get(f"/en/evaluation/{evaluation.uuid}/")
    text = page.content.decode()
    assert 'data-testid="dossier"' in text
    assert mediating.description in text
    assert "银行认为已充分揭示产品风险。" in text  # the institution's position
    assert "申请人证据.pdf" in text and "银行回函.pdf" in text
    assert ALICE_PHONE not in text

    case_page = client.get(f"/en/cases/{mediating.case_no}/")
    assert case_page.status_code == 200
    case_text = case_page.content.decode()
    assert 'data-testid="read-only"' in case_text  # no party action, no upload
    assert ALICE_PHONE not in case_text
    assert "139****0001" in case_text

    download = client.get(_material_url(mediating))
    assert download.status_code == 200
    b"".join(download.streaming_content)
    [accessed] = events(mediating, "evidence.accessed")
    assert accessed.actor_user_id == erin.pk

    body = api_client(erin).get(f"/api/evaluations/{evaluation.uuid}/").json()
    assert body["dossier"]["description"] == mediating.description
    assert len(body["dossier"]["materials"]) == 2
    assert ALICE_PHONE not in str(body)


def test_the_expert_never_sees_another_case(client, mediating, other_case, ada, erin, alice):
    upload(other_case, alice, "另案证据.pdf")
    declared(mediating, ada, erin)
    client.force_login(erin)
    assert client.get(f"/en/cases/{other_case.case_no}/").status_code == 404
    assert client.get(_material_url(other_case)).status_code == 404
    listed = client.get("/en/cases/audit/").content.decode()
    assert mediating.case_no in listed and other_case.case_no not in listed


def test_another_expert_sees_nothing(client, mediating, ada, erin, eve):
    evaluation, _appointment = declared(mediating, ada, erin)
    client.force_login(eve)
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 404
    assert client.get(f"/en/evaluation/{evaluation.uuid}/").status_code == 404


def test_a_replaced_expert_loses_access_at_once(client, mediating, ada, erin, eve):
    evaluation, _appointment = declared(mediating, ada, erin)
    client.force_login(erin)
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 200
    services.evaluation_replace_expert(
        evaluation=evaluation, user=ada, expert=eve, reason="专家工作调整"
    )
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 404
    assert client.get(_material_url(mediating)).status_code == 404
    page = client.get(f"/en/evaluation/{evaluation.uuid}/").content.decode()
    assert mediating.description not in page


def test_an_expert_who_is_no_longer_one_loses_access(client, mediating, ada, erin, org):
    declared(mediating, ada, erin)
    erin.memberships.filter(organization=org).update(is_active=False)
    client.force_login(erin)
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 404


def test_a_case_that_ends_ends_the_experts_access(client, mediating, ada, erin, mia):
    evaluation, _appointment = declared(mediating, ada, erin)
    case_services.case_transition(case=mediating, user=mia, to=CaseState.AGREEMENT, reason="达成")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.CANCELLED
    client.force_login(erin)
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 404


def test_a_transfer_cancels_the_evaluation(case, ada, erin, other_org):
    case_services.case_accept(case=case, user=ada)
    evaluation, _appointment = declared(case, ada, erin)
    target_admin = member(UserFactory(username="pam"), Role.ORG_ADMIN, other_org)
    transfer = case_services.case_transfer_request(
        case=case, user=ada, to_organization=other_org, reason="更适合"
    )
    case_services.case_transfer_accept(transfer=transfer, user=target_admin)
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.cancel_cause) == ("cancelled", "transferred")
    assert events(case, "evaluation.cancelled")[0].payload["reason"] == "transferred"
