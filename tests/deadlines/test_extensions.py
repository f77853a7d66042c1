"""An extension applies only with the recorded consent of every party: the applicant and the
respondent institution, each for itself; a refusal rejects it. For a court-entrusted case it
does not count toward the court's trial period."""

from __future__ import annotations

import pytest

from accord.audit.models import TraceEvent
from accord.cases import services
from accord.cases.models import CaseState
from accord.core.api import ServiceError
from accord.deadlines.extensions import extension_answer, extension_apply, extension_request
from accord.deadlines.models import (
    Deadline,
    DeadlineExtension,
    DeadlineKind,
    ExtensionConsent,
    ExtensionStatus,
)
from accord.workdays.periods import add_working_days
from tests.deadlines.conftest import D, actions, deadline, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediation(case, drive) -> Deadline:
    drive(case, CaseState.MEDIATING)
    return deadline(case, DeadlineKind.MEDIATION)


def written() -> tuple[int, int, int, list[tuple[int, int]]]:
    return (
        TraceEvent.objects.count(),
        DeadlineExtension.objects.count(),
        ExtensionConsent.objects.count(),
        list(Deadline.objects.order_by("pk").values_list("pk", "extension_days")),
    )


def test_an_extension_without_every_partys_consent_is_refused_and_writes_nothing(
    mediation, mia, alice
):
    extension = extension_request(deadline=mediation, user=mia, days=10, reason="双方需补充材料")
    before = written()
    with pytest.raises(ServiceError) as caught:
        extension_apply(extension=extension, user=mia)
    assert caught.value.code == "consent_missing"
    assert caught.value.http_status == 409
    assert written() == before

    extension_answer(extension=extension, user=alice, party="applicant", consents=True)
    before = written()
    with pytest.raises(ServiceError) as caught:
        extension_apply(extension=extension, user=mia)
    assert caught.value.code == "consent_missing"
    assert caught.value.fields == {"consents": ["Financial institution"]}
    assert written() == before
    mediation.refresh_from_db()
    assert mediation.extension_days == 0


def test_with_every_partys_consent_the_extension_applies(mediation, mia, alice, ben, case):
    due_before = mediation.due_on
    extension = extension_request(deadline=mediation, user=mia, days=10, reason="双方需补充材料")
    extension_answer(extension=extension, user=alice, party="applicant", consents=True)
    extension_answer(extension=extension, user=ben, party="institution", consents=True)
    extension_apply(extension=extension, user=mia)

    mediation.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPLIED
    assert mediation.extension_days == 10
    assert (mediation.due_on, mediation.provisional) == add_working_days(mediation.starts_on, 40)
    assert mediation.due_on > due_before
    assert actions(case)[-5:] == [
        "deadline.extension_requested",
        "deadline.extension_consented",
        "deadline.extension_consented",
        "deadline.recomputed",
        "deadline.extension_applied",
    ]
    applied = events(case)[-1].payload
    assert applied["old_due"] == due_before.isoformat()
    assert applied["new_due"] == mediation.due_on.isoformat()
    assert applied["outside_trial_period"] is False
    consented = events(case)[-3]
    assert consented.actor == {"kind": "user", "user_id": ben.pk, "role": "institution_staff"}


def test_a_refusal_rejects_the_extension(mediation, mia, alice, ben):
    extension = extension_request(deadline=mediation, user=mia, days=5, reason="需要时间")
    extension_answer(extension=extension, user=ben, party="institution", consents=False)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REJECTED
    with pytest.raises(ServiceError) as caught:
        extension_answer(extension=extension, user=alice, party="applicant", consents=True)
    assert caught.value.code == "extension_decided"
    with pytest.raises(ServiceError) as caught:
        extension_apply(extension=extension, user=mia)
    assert caught.value.code == "extension_decided"
    # A new request may follow.
    extension_request(deadline=mediation, user=mia, days=3, reason="再次申请")


def test_nobody_consents_for_a_party(mediation, mia, ada, alice, ben, charlie):
    extension = extension_request(deadline=mediation, user=mia, days=5, reason="需要时间")
    before = written()
    for user, party in [
        (mia, "applicant"),
        (ada, "institution"),
        (ben, "applicant"),
        (alice, "institution"),
        (charlie, "institution"),
    ]:
        with pytest.raises(ServiceError) as caught:
            extension_answer(extension=extension, user=user, party=party, consents=True)
        assert caught.value.code == "permission_denied", (user, party)
    with pytest.raises(ServiceError) as caught:
        extension_answer(extension=extension, user=alice, party="court", consents=True)
    assert caught.value.code == "invalid_party"
    assert written() == before


def test_a_party_answers_once(mediation, mia, alice):
    extension = extension_request(deadline=mediation, user=mia, days=5, reason="需要时间")
    extension_answer(extension=extension, user=alice, party="applicant", consents=True)
    with pytest.raises(ServiceError) as caught:
        extension_answer(extension=extension, user=alice, party="applicant", consents=False)
    assert caught.value.code == "already_answered"


def test_only_the_mediator_or_an_administrator_asks_and_applies(mediation, alice, ben, ada):
    before = written()
    for user in (alice, ben):
        with pytest.raises(ServiceError) as caught:
            extension_request(deadline=mediation, user=user, days=5, reason="需要时间")
        assert caught.value.code == "permission_denied"
    assert written() == before
    extension = extension_request(deadline=mediation, user=ada, days=5, reason="需要时间")
    with pytest.raises(ServiceError) as caught:
        extension_apply(extension=extension, user=alice)
    assert caught.value.code == "permission_denied"


def test_bad_requests_write_nothing(mediation, mia):
    before = written()
    for days, reason, code in [
        (0, "原因", "days_out_of_range"),
        (366, "原因", "days_out_of_range"),
        (5, "  ", "reason_required"),
    ]:
        with pytest.raises(ServiceError) as caught:
            extension_request(deadline=mediation, user=mia, days=days, reason=reason)
        assert caught.value.code == code
    extension_request(deadline=mediation, user=mia, days=5, reason="原因")
    with pytest.raises(ServiceError) as caught:
        extension_request(deadline=mediation, user=mia, days=5, reason="又一次")
    assert caught.value.code == "extension_pending"
    assert written()[1] == before[1] + 1


def test_a_court_case_extension_does_not_count_toward_the_trial_period(
    court_case, ada, alice, ben, application
):
    case = court_case(materials_signed_on=D(2026, 3, 2))
    case.applicant = alice  # the court named a party who has an account
    case.save(update_fields=["applicant"])
    services.case_accept(case=case, user=ada)
    court = deadline(case, DeadlineKind.COURT_MEDIATION)
    extension = extension_request(deadline=court, user=ada, days=15, reason="当事人同意延长")
    assert events(case)[-1].payload["outside_trial_period"] is True
    extension_answer(extension=extension, user=alice, party="applicant", consents=True)
    extension_answer(extension=extension, user=ben, party="institution", consents=True)
    extension_apply(extension=extension, user=ada)
    court.refresh_from_db()
    # 45 calendar days from 2 March 2026: Thursday 16 April.
    assert court.due_on == D(2026, 4, 16)
    assert events(case)[-1].payload["outside_trial_period"] is True


def test_without_an_applicant_account_nothing_can_be_applied(court_case, ada, ben):
    case = court_case(materials_signed_on=D(2026, 3, 2))
    assert case.applicant is None
    services.case_accept(case=case, user=ada)
    court = deadline(case, DeadlineKind.COURT_MEDIATION)
    extension = extension_request(deadline=court, user=ada, days=15, reason="延长")
    extension_answer(extension=extension, user=ben, party="institution", consents=True)
    with pytest.raises(ServiceError) as caught:
        extension_apply(extension=extension, user=ada)
    assert caught.value.code == "no_applicant_account"
