"""Asking for a neutral evaluation: the organization (an administrator, the case's mediator)
on its grounds, the institution's staff for a hard complaint; anyone else is refused and
nothing is written. Traced with the reason's SHA-256 only."""

from __future__ import annotations

import hashlib

import pytest

from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.core.api import ServiceError
from accord.evaluation import services
from accord.evaluation.models import EvaluationGround, EvaluationStatus, RequestedAs
from tests.cases.conftest import api_client
from tests.evaluation.conftest import actions, events, notices, requested, written

pytestmark = pytest.mark.django_db

REASON = "双方对风险揭示事实争议较大。"


def test_an_administrator_asks_and_it_is_traced_with_the_reason_hashed(mediating, ada, mia):
    evaluation = requested(mediating, ada)
    assert (evaluation.status, evaluation.requested_as, evaluation.ground) == (
        EvaluationStatus.REQUESTED,
        RequestedAs.ORG_ADMIN,
        EvaluationGround.DISPUTED,
    )
    [event] = events(mediating, "evaluation.requested")
    assert event.payload == {
        "evaluation": str(evaluation.uuid),
        "ground": "disputed",
        "requested_as": "org_admin",
        "reason_sha256": hashlib.sha256(REASON.encode()).hexdigest(),
    }
    assert event.actor == {"kind": "user", "user_id": ada.pk, "role": "org_admin"}
    assert REASON not in str(event.payload)
    # The one who asked is not told; other administrators would be.
    assert notices(ada, "evaluation.requested") == []


def test_the_cases_mediator_asks_and_the_administrators_are_told(mediating, ada, mia):
    evaluation = requested(mediating, mia, EvaluationGround.TYPICAL)
    assert evaluation.requested_as == RequestedAs.MEDIATOR
    assert events(mediating, "evaluation.requested")[0].actor["role"] == "mediator"
    [notice] = notices(ada, "evaluation.requested")
    assert mediating.case_no in notice.text


def test_the_institution_asks_for_a_hard_complaint_by_default(mediating, ben):
    evaluation = services.evaluation_request(case=mediating, user=ben, ground="", reason=REASON)
    assert (evaluation.requested_as, evaluation.ground) == (
        RequestedAs.INSTITUTION,
        EvaluationGround.HARD_COMPLAINT,
    )
    assert events(mediating, "evaluation.requested")[0].actor["role"] == "institution_staff"


@pytest.mark.parametrize(
    ("who", "ground"),
    [("ben", EvaluationGround.TYPICAL), ("ada", EvaluationGround.HARD_COMPLAINT), ("ada", "x")],
)
def test_a_ground_the_side_may_not_use_is_refused(mediating, ada, ben, who, ground):
    user = {"ada": ada, "ben": ben}[who]
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_request(case=mediating, user=user, ground=ground, reason=REASON)
    assert refused.value.code == "invalid_ground"
    assert "ground" in refused.value.fields
    assert written() == before


def test_the_applicant_may_not_ask(mediating, alice):
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_request(case=mediating, user=alice, ground="", reason=REASON)
    assert (refused.value.code, refused.value.http_status) == ("permission_denied", 403)
    assert written() == before


def test_someone_who_cannot_see_the_case_gets_not_found(mediating, charlie, max_):
    before = written()
    for outsider in (charlie, max_):
        response = api_client(outsider).post(
            f"/api/cases/{mediating.case_no}/evaluations/",
            {"ground": "disputed", "reason": REASON},
            format="json",
        )
        assert response.status_code == 404
    assert written() == before


def test_a_reason_is_required(mediating, ada):
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_request(case=mediating, user=ada, ground="disputed", reason="  ")
    assert refused.value.code == "reason_required"
    assert "reason" in refused.value.fields
    assert written() == before


def test_only_one_evaluation_is_open_at_a_time(mediating, ada, ben):
    requested(mediating, ada)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_request(case=mediating, user=ben, ground="", reason=REASON)
    assert (refused.value.code, refused.value.http_status) == ("evaluation_pending", 409)
    assert written() == before


def test_a_case_not_yet_accepted_cannot_be_evaluated(case, ada):
    assert case.state == CaseState.SUBMITTED
    before = written()
    with pytest.raises(ServiceError) as refused:
        requested(case, ada)
    assert refused.value.code == "illegal_state"
    assert written() == before


def test_the_api_asks_and_lists(mediating, ben, alice):
    response = api_client(ben).post(
        f"/api/cases/{mediating.case_no}/evaluations/", {"reason": REASON}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["ground"], body["requested_as"], body["status"]) == (
        "hard_complaint",
        "institution",
        "requested",
    )
    listed = api_client(alice).get(f"/api/cases/{mediating.case_no}/evaluations/")
    assert listed.status_code == 200
    assert [item["uuid"] for item in listed.json()] == [body["uuid"]]
    refused = api_client(alice).post(
        f"/api/cases/{mediating.case_no}/evaluations/", {"reason": REASON}, format="json"
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")


def test_a_case_that_ends_cancels_its_open_evaluation(mediating, ada, mia):
    evaluation = requested(mediating, ada)
    case_services.case_transition(case=mediating, user=mia, to=CaseState.FAILED, reason="调解不成")
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.cancel_cause) == ("cancelled", "case_ended")
    assert actions(mediating)[-1] == "evaluation.cancelled"
    assert events(mediating, "evaluation.cancelled")[0].payload["reason"] == "case_ended"


def test_an_administrator_cancels_with_a_reason(mediating, ada, ben):
    evaluation = services.evaluation_request(case=mediating, user=ben, ground="", reason=REASON)
    with pytest.raises(ServiceError) as refused:
        services.evaluation_cancel(evaluation=evaluation, user=ben, reason="不需要")
    assert refused.value.code == "permission_denied"
    services.evaluation_cancel(evaluation=evaluation, user=ada, reason="案情已清楚，无需评估")
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.cancel_cause) == ("cancelled", "organization")
    [event] = events(mediating, "evaluation.cancelled")
    assert event.payload["reason"] == "organization"
    assert "案情已清楚" not in str(event.payload)
    assert len(notices(ben, "evaluation.cancelled")) == 1
