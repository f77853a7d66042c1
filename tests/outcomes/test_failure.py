"""After mediation failed: the failure notice with the organization's advice and the routes,
required before closing; the referral to arbitration or litigation with the green channel."""

from __future__ import annotations

import pytest

from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.core.api import ServiceError
from accord.documents.models import Document
from accord.inbox.models import Notice
from accord.outcomes.models import MediationFailure
from accord.outcomes.selectors import court_referrals
from accord.outcomes.services import failure_notice_issue, failure_refer
from tests.outcomes.conftest import all_payload_text, events

pytestmark = pytest.mark.django_db

ADVICE = "建议申请人收集购买理财产品时的录音录像资料，通过诉讼主张权利。"


@pytest.fixture
def failed(case, drive):
    return drive(case, CaseState.FAILED)


@pytest.fixture
def noticed(failed, mia) -> MediationFailure:
    return failure_notice_issue(
        case=failed, user=mia, advice=ADVICE, routes=["litigation", "arbitration"]
    )


def refused_without_writing(run, code):
    before = (
        TraceEvent.objects.count(),
        Document.objects.count(),
        MediationFailure.objects.count(),
    )
    with pytest.raises(ServiceError) as refused:
        run()
    assert refused.value.code == code
    after = (TraceEvent.objects.count(), Document.objects.count(), MediationFailure.objects.count())
    assert after == before
    return refused.value


def test_the_failure_notice_gives_the_advice_and_the_routes(alice, ben, noticed):
    assert noticed.notice.document.kind == "failure_notice"
    assert noticed.routes == ["arbitration", "litigation"]
    event = events(noticed.case, "failure.notice_issued")[0]
    assert event.payload["routes"] == ["arbitration", "litigation"]
    assert event.payload["notice"]["version"] == str(noticed.notice.uuid)
    assert ADVICE not in all_payload_text()
    for user in (alice, ben):
        assert Notice.objects.filter(user=user, kind="failure.notice_issued").exists()


def test_a_failed_case_is_closed_only_after_its_notice(failed, mia):
    refused_without_writing(
        lambda: case_services.case_close(case=failed, user=mia), "failure_notice_missing"
    )
    failed.refresh_from_db()
    assert failed.state == CaseState.FAILED
    failure_notice_issue(case=failed, user=mia, advice=ADVICE, routes=["litigation"])
    case_services.case_close(case=failed, user=mia)
    assert failed.state == CaseState.CLOSED


def test_a_terminated_case_gets_a_notice_too(case, drive, mia):
    terminated = drive(case, CaseState.TERMINATED)
    refused_without_writing(
        lambda: case_services.case_close(case=terminated, user=mia), "failure_notice_missing"
    )
    failure_notice_issue(case=terminated, user=mia, advice=ADVICE, routes=["arbitration"])
    case_services.case_close(case=terminated, user=mia)


def test_bad_notices_are_refused_and_nothing_written(failed, mia, ben, alice, case, drive):
    refused_without_writing(
        lambda: failure_notice_issue(case=failed, user=ben, advice=ADVICE, routes=["litigation"]),
        "permission_denied",
    )
    refused_without_writing(
        lambda: failure_notice_issue(case=failed, user=mia, advice=" ", routes=["litigation"]),
        "reason_required",
    )
    refused_without_writing(
        lambda: failure_notice_issue(case=failed, user=mia, advice=ADVICE, routes=[]),
        "invalid_routes",
    )
    refused_without_writing(
        lambda: failure_notice_issue(case=failed, user=mia, advice=ADVICE, routes=["court"]),
        "invalid_routes",
    )
    failure_notice_issue(case=failed, user=mia, advice=ADVICE, routes=["litigation"])
    refused_without_writing(
        lambda: failure_notice_issue(case=failed, user=mia, advice=ADVICE, routes=["litigation"]),
        "notice_issued",
    )


def test_no_notice_while_mediating(case, drive, mia):
    mediating = drive(case, CaseState.MEDIATING)
    refused_without_writing(
        lambda: failure_notice_issue(
            case=mediating, user=mia, advice=ADVICE, routes=["litigation"]
        ),
        "illegal_state",
    )


def test_the_referral_to_litigation_with_the_green_channel(noticed, mia, court, cleo, clara):
    refer = failure_refer(
        case=noticed.case, user=mia, route="litigation", to=court, green_channel=True
    )
    assert (refer.route, refer.referred_to, refer.green_channel) == ("litigation", court, True)
    event = events(noticed.case, "failure.referred")[0]
    assert event.payload == {
        "route": "litigation",
        "referred_to": court.pk,
        "green_channel": True,
        "note_sha256": event.payload["note_sha256"],
    }
    assert list(court_referrals(cleo)) == [refer]
    assert list(court_referrals(clara)) == []
    assert Notice.objects.filter(user=cleo, kind="failure.referred").exists()
    refused_without_writing(
        lambda: failure_refer(case=noticed.case, user=mia, route="litigation", to=court),
        "already_referred",
    )


def test_a_referral_to_arbitration(noticed, mia, arbitration):
    refer = failure_refer(case=noticed.case, user=mia, route="arbitration", to=arbitration.code)
    assert (refer.route, refer.green_channel) == ("arbitration", False)


def test_bad_referrals_are_refused_and_nothing_written(
    failed, noticed, mia, court, arbitration, alice
):
    case = noticed.case
    refused_without_writing(
        lambda: failure_refer(case=case, user=alice, route="litigation", to=court),
        "permission_denied",
    )
    refused_without_writing(
        lambda: failure_refer(case=case, user=mia, route="mediation", to=court), "invalid_route"
    )
    refused_without_writing(
        lambda: failure_refer(case=case, user=mia, route="litigation", to=arbitration),
        "invalid_referral_target",
    )
    refused_without_writing(
        lambda: failure_refer(case=case, user=mia, route="arbitration", to=court),
        "invalid_referral_target",
    )
    refused_without_writing(
        lambda: failure_refer(
            case=case, user=mia, route="arbitration", to=arbitration, green_channel=True
        ),
        "green_channel_litigation_only",
    )
    assert not MediationFailure.objects.get(case=case).is_referred


def test_the_referral_needs_the_notice(failed, mia, court):
    refused_without_writing(
        lambda: failure_refer(case=failed, user=mia, route="litigation", to=court), "notice_missing"
    )
