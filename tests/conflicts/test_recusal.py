"""Recusal: a party applies (once at a time), the administrator decides once, a grant removes
the mediator (or replaces them), the mediator withdraws, the entrusting court requires it.
Every step traced on the case's chain without the words in clear, and notified."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accord.cases.errors import NotAllowed
from accord.cases.models import CaseState
from accord.conflicts.models import RecusalApplication, RecusalStatus
from accord.conflicts.services import (
    recusal_apply,
    recusal_decide,
    recusal_required_by_court,
    recusal_self,
    text_sha256,
)
from accord.core.api import ConflictError, ServiceError
from accord.inbox.models import Notice
from accord.workdays.periods import add_working_days
from tests.cases.conftest import snapshot
from tests.conflicts.conftest import actions, all_payload_text, declare, employed, events

pytestmark = pytest.mark.django_db

GROUNDS = "调解员王某是被申请人张某的表兄，身份证110101199003074514"
REASON = "经核实，调解员与当事人存在亲属关系"


def test_the_applicant_applies_with_a_due_date_traced_and_notified(mediating, alice, ada, mia, ben):
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    due = add_working_days(timezone.localdate(), 3)
    assert (application.due_on, application.due_provisional) == due
    assert application.status == RecusalStatus.PENDING and application.mediator == mia
    [applied] = events(mediating, "recusal.applied")
    assert applied.payload == {
        "application": application.pk,
        "mediator": {"user_id": mia.pk},
        "applied_as": "applicant",
        "grounds_sha256": text_sha256(GROUNDS),
        "due_on": due.date.isoformat(),
        "due_provisional": due.provisional,
    }
    told = set(Notice.objects.filter(kind="recusal.applied").values_list("user_id", flat=True))
    assert told == {alice.pk, ada.pk, mia.pk, ben.pk}


def test_the_institutions_staff_may_apply_too(mediating, ben):
    application = recusal_apply(case=mediating, user=ben, grounds=GROUNDS)
    assert application.applied_as == "institution"
    assert events(mediating, "recusal.applied")[0].actor["role"] == "institution_staff"


def test_a_non_party_is_refused_and_nothing_is_written(mediating, bob, charlie, max_):
    before = snapshot()
    for outsider in (bob, charlie, max_):
        with pytest.raises(NotAllowed):
            recusal_apply(case=mediating, user=outsider, grounds=GROUNDS)
    assert snapshot() == before and not RecusalApplication.objects.exists()


def test_one_pending_application_per_case_and_mediator(mediating, alice, ben):
    recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    with pytest.raises(ConflictError) as refused:
        recusal_apply(case=mediating, user=ben, grounds="另一理由")
    assert refused.value.code == "already_pending"
    assert RecusalApplication.objects.count() == 1


def test_no_recusal_without_a_mediator(accepted, alice):
    with pytest.raises(ConflictError) as refused:
        recusal_apply(case=accepted, user=alice, grounds=GROUNDS)
    assert refused.value.code == "illegal_state"


def test_grounds_are_required(mediating, alice):
    with pytest.raises(ServiceError) as refused:
        recusal_apply(case=mediating, user=alice, grounds="  ")
    assert refused.value.fields == {"grounds": ["Required."]}


def test_granted_removes_the_mediator_traced_in_order(mediating, alice, ada, mia):
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    recusal_decide(application=application, user=ada, granted=True, reason=REASON)
    mediating.refresh_from_db()
    assert mediating.mediator is None and mediating.state == CaseState.MEDIATING
    assert actions(mediating)[-2:] == ["recusal.granted", "case.mediator_removed"]
    [granted] = events(mediating, "recusal.granted")
    assert granted.payload == {
        "application": application.pk,
        "mediator": {"user_id": mia.pk},
        "reason_sha256": text_sha256(REASON),
        "replacement": None,
    }
    removed = events(mediating, "case.mediator_removed")[0].payload
    assert removed["cause"] == "recusal_granted"
    assert removed["reason"] == f"recusal-application:{application.pk}"
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("granted", REASON)
    assert Notice.objects.filter(kind="recusal.granted", user=mia).exists()


def test_granted_on_an_assigned_case_sends_it_back_to_accepted(case, drive, alice, ada):
    drive(case, CaseState.ASSIGNED)
    application = recusal_apply(case=case, user=alice, grounds=GROUNDS)
    recusal_decide(application=application, user=ada, granted=True, reason=REASON)
    case.refresh_from_db()
    assert (case.state, case.mediator) == (CaseState.ACCEPTED, None)


def test_granted_with_a_replacement_replaces_at_once(mediating, alice, ada, max_):
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    recusal_decide(application=application, user=ada, granted=True, reason=REASON, replacement=max_)
    mediating.refresh_from_db()
    assert mediating.mediator == max_
    assert actions(mediating)[-2:] == ["recusal.granted", "case.mediator_replaced"]


def test_a_conflicted_replacement_refuses_the_whole_decision(
    mediating, alice, ada, max_, org, bank
):
    employed(max_, org, bank)
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    before = snapshot()
    with pytest.raises(ConflictError) as refused:
        recusal_decide(
            application=application, user=ada, granted=True, reason=REASON, replacement=max_
        )
    assert refused.value.code == "mediator_conflict"
    assert snapshot() == before
    application.refresh_from_db()
    assert application.status == RecusalStatus.PENDING


def test_rejected_keeps_the_mediator_and_deciding_twice_is_refused(mediating, alice, ada, mia):
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    recusal_decide(application=application, user=ada, granted=False, reason=REASON)
    mediating.refresh_from_db()
    assert mediating.mediator == mia
    assert actions(mediating)[-1] == "recusal.rejected"
    before = snapshot()
    for granted in (True, False):
        with pytest.raises(ConflictError) as refused:
            recusal_decide(application=application, user=ada, granted=granted, reason=REASON)
        assert refused.value.code == "already_decided"
    assert snapshot() == before


def test_only_an_administrator_decides(mediating, alice, mia, ben):
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    for user in (alice, mia, ben):
        with pytest.raises(NotAllowed):
            recusal_decide(application=application, user=user, granted=True, reason=REASON)


def test_self_recusal_removes_the_mediator_and_lapses_a_pending_application(mediating, alice, mia):
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    recusal_self(case=mediating, user=mia, reason=REASON)
    mediating.refresh_from_db()
    assert mediating.mediator is None
    assert actions(mediating)[-3:] == ["recusal.self", "case.mediator_removed", "recusal.lapsed"]
    assert events(mediating, "case.mediator_removed")[0].payload["cause"] == "self_recusal"
    application.refresh_from_db()
    assert application.status == RecusalStatus.LAPSED


def test_only_the_mediator_recuses_themselves(mediating, max_, ada):
    for user in (max_, ada):
        with pytest.raises(NotAllowed):
            recusal_self(case=mediating, user=user, reason=REASON)


def test_the_entrusting_courts_clerk_requires_recusal(court_case, cleo, mia):
    recusal_required_by_court(case=court_case, clerk=cleo, reason=REASON)
    court_case.refresh_from_db()
    assert (court_case.state, court_case.mediator) == (CaseState.ACCEPTED, None)
    [required] = events(court_case, "recusal.court_required")
    assert required.actor["role"] == "court_clerk"
    assert required.payload["mediator"] == {"user_id": mia.pk}
    assert events(court_case, "case.mediator_removed")[0].payload["cause"] == "court_requirement"


def test_another_courts_clerk_is_refused(court_case, other_clerk, mediating, cleo):
    before = snapshot()
    with pytest.raises(NotAllowed):
        recusal_required_by_court(case=court_case, clerk=other_clerk, reason=REASON)
    with pytest.raises(NotAllowed):  # a case the court did not entrust
        recusal_required_by_court(case=mediating, clerk=cleo, reason=REASON)
    assert snapshot() == before


def test_no_words_nor_personal_data_in_any_trace_payload(mediating, alice, ada, mia, org):
    declare(mia, org, "kinship", person_name="王五", person_id_number="110101199003074514")
    application = recusal_apply(case=mediating, user=alice, grounds=GROUNDS)
    recusal_decide(application=application, user=ada, granted=False, reason=REASON)
    recusal_self(case=mediating, user=mia, reason="本人与申请人系同学关系")
    text = all_payload_text()
    for secret in (GROUNDS, REASON, "王五", "110101199003074514", "表兄", "同学"):
        assert secret not in text
