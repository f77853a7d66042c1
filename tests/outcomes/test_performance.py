"""A sealed agreement's obligations become rows with due dates; immediate performance is
recorded at once; both sides are told the consequences of not performing; only the receiving
side confirms a performance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.core.api import ConflictError, ServiceError
from accord.inbox.models import Notice
from accord.outcomes.models import Obligation, ObligationStatus, SealedAgreement
from accord.outcomes.services import obligation_confirm, performance_open
from accord.outcomes.services.performance import parse_obligations
from tests.outcomes.conftest import (
    actions,
    agreement_fields,
    all_payload_text,
    draft_agreement,
    events,
    take_effect,
)

pytestmark = pytest.mark.django_db


def test_a_sealed_agreement_becomes_obligations_with_due_dates(alice, ben, agreement):
    case = agreement.case
    today = timezone.localdate()
    assert agreement.effective_on == today
    assert agreement.confirmation_due_on >= today + dt.timedelta(days=30)
    pay, withdraw = agreement.obligations.order_by("position")
    assert (pay.obligor, pay.obligee, pay.amount, pay.due_on) == (
        "respondent",
        "applicant",
        Decimal("1200.00"),
        today + dt.timedelta(days=10),
    )
    assert (withdraw.obligor, withdraw.obligee, withdraw.amount) == (
        "applicant",
        "respondent",
        None,
    )
    assert {pay.status, withdraw.status} == {ObligationStatus.PENDING}
    assert actions(case, "performance.") == [
        "performance.opened",
        "performance.consequences_notified",
    ]
    opened = events(case, "performance.opened")[0].payload
    assert opened["agreement"] == str(agreement.version.uuid)
    assert [o["obligation_id"] for o in opened["obligations"]] == [pay.pk, withdraw.pk]
    # What an obligation says is committed by its hash, never in clear.
    assert "向申请人支付补偿款" not in all_payload_text()
    told = events(case, "performance.consequences_notified")[0].payload
    assert set(told["recipients"]) == {alice.pk, ben.pk}
    for user in (alice, ben):
        notice = Notice.objects.get(user=user, kind="performance.consequences")
        assert "compulsory enforcement" in notice.text
        assert agreement.confirmation_due_on.isoformat() in notice.text
    assert agreement.consequences_notified_at is not None


def test_the_hook_ignores_other_documents_and_a_second_call(mediating, mia, agreement):
    assert take_effect(agreement.version) == agreement
    assert SealedAgreement.objects.count() == 1
    assert Obligation.objects.count() == 2
    assert actions(mediating, "performance.opened") == ["performance.opened"]
    record = draft_agreement(mediating, mia)
    record.document.kind = "record"
    with transaction.atomic():
        assert performance_open(record) is None


def test_immediate_performance_is_recorded_at_once(sealed):
    agreement = sealed(immediate_performance=True)
    assert agreement.immediate_performance
    assert {(o.status, o.immediate) for o in agreement.obligations.all()} == {
        (ObligationStatus.PERFORMED, True)
    }
    performed = events(agreement.case, "obligation.performed")
    assert len(performed) == 2
    assert {e.payload["immediate"] for e in performed} == {True}


def test_only_the_obligee_confirms_a_performance(agreement, alice, ben, mia, ada, charlie):
    pay = agreement.obligations.get(position=1)  # the bank pays alice
    before = TraceEvent.objects.count()
    for user in (ben, mia, ada, charlie):
        with pytest.raises(NotAllowed) as refused:
            obligation_confirm(obligation=pay, user=user)
        assert refused.value.code == "not_obligee"
    assert TraceEvent.objects.count() == before
    pay.refresh_from_db()
    assert pay.status == ObligationStatus.PENDING

    obligation_confirm(obligation=pay, user=alice, note="已于今日到账")
    pay.refresh_from_db()
    assert (pay.status, pay.confirmed_by, pay.confirmation_note) == (
        ObligationStatus.PERFORMED,
        alice,
        "已于今日到账",
    )
    event = events(agreement.case, "obligation.performed")[-1]
    assert event.actor["user_id"] == alice.pk and event.actor["role"] == "applicant"
    assert event.payload["late"] is False
    assert "已于今日到账" not in all_payload_text()
    assert Notice.objects.filter(user=ben, kind="obligation.performed").exists()
    assert Notice.objects.filter(user=mia, kind="obligation.performed").exists()

    with pytest.raises(ConflictError) as again:
        obligation_confirm(obligation=pay, user=alice)
    assert again.value.code == "already_performed"

    # The other obligation is owed to the institution: its staff confirm it.
    withdraw = agreement.obligations.get(position=2)
    with pytest.raises(NotAllowed):
        obligation_confirm(obligation=withdraw, user=alice)
    obligation_confirm(obligation=withdraw, user=ben)
    assert events(agreement.case, "obligation.performed")[-1].actor["role"] == "institution_staff"


def test_a_note_too_long_is_refused_and_nothing_written(agreement, alice):
    pay = agreement.obligations.get(position=1)
    before = TraceEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        obligation_confirm(obligation=pay, user=alice, note="x" * 2001)
    assert refused.value.code == "too_long" and "note" in refused.value.fields
    assert TraceEvent.objects.count() == before
    pay.refresh_from_db()
    assert pay.is_pending


@pytest.mark.parametrize(
    ("obligations", "field"),
    [
        ([], "obligations"),
        (
            [{"obligor": "applicant", "obligee": "applicant", "what": "x", "due": "2026-01-01"}],
            "obligations.0",
        ),
        (
            [{"obligor": "bank", "obligee": "applicant", "what": "x", "due": "2026-01-01"}],
            "obligations.0",
        ),
        (
            [{"obligor": "respondent", "obligee": "applicant", "what": " ", "due": "2026-01-01"}],
            "obligations.0.what",
        ),
        (
            [{"obligor": "respondent", "obligee": "applicant", "what": "x", "due": "soon"}],
            "obligations.0.due",
        ),
        (
            [
                {
                    "obligor": "respondent",
                    "obligee": "applicant",
                    "what": "x",
                    "due": "2026-01-01",
                    "amount": "-1",
                }
            ],
            "obligations.0.amount",
        ),
        (
            [
                {
                    "obligor": "respondent",
                    "obligee": "applicant",
                    "what": "x",
                    "due": "2026-01-01",
                    "amount": "1.001",
                }
            ],
            "obligations.0.amount",
        ),
    ],
)
def test_unreadable_obligations_are_refused_field_by_field(obligations, field):
    with pytest.raises(ServiceError) as refused:
        parse_obligations(agreement_fields(obligations=obligations))
    assert refused.value.code == "agreement_unperformable"
    assert field in refused.value.fields
