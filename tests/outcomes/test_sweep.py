"""Reminders to the obligor 3 and 1 working days before an obligation is due, each once; the
overdue flag to the mediator (notice and case page) the day after, once."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.inbox.models import Notice
from accord.outcomes.models import Obligation
from accord.outcomes.services import obligation_confirm
from accord.outcomes.sweep import performance_sweep
from tests.outcomes.conftest import events

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def pay(agreement) -> Obligation:
    """The bank pays alice by Wednesday 1 April 2026 (Friday 27, Monday 30, Tuesday 31 March
    are working days); alice's own obligation is out of the way."""
    agreement.obligations.filter(position=2).update(status="performed")
    obligation = agreement.obligations.get(position=1)
    obligation.due_on = D(2026, 4, 1)
    obligation.save(update_fields=["due_on"])
    return obligation


def test_the_obligor_is_reminded_three_and_one_working_days_before(pay, ben, alice, mia):
    assert performance_sweep(today=D(2026, 3, 26)).reminded == []
    assert performance_sweep(today=D(2026, 3, 27)).reminded == [(pay.pk, 3)]
    assert performance_sweep(today=D(2026, 3, 27)).reminded == []
    assert performance_sweep(today=D(2026, 3, 31)).reminded == [(pay.pk, 1)]
    assert performance_sweep(today=D(2026, 4, 1)).reminded == []
    sent = list(Notice.objects.filter(kind="obligation.reminder").order_by("pk"))
    assert [n.user for n in sent] == [ben, ben]  # the institution's staff owe it
    assert "2026-04-01" in sent[0].text and pay.case.case_no in sent[0].text
    reminded = events(pay.case, "obligation.reminded")
    assert [e.payload["days_before"] for e in reminded] == [3, 1]
    assert reminded[0].actor == {"kind": "system", "label": "outcomes:sweep"}
    assert not Notice.objects.filter(user__in=[alice, mia], kind="obligation.reminder").exists()


def test_an_overdue_obligation_is_flagged_to_the_mediator_once(pay, mia, ben, client):
    assert performance_sweep(today=D(2026, 4, 1)).overdue == []  # due to the end of the day
    assert performance_sweep(today=D(2026, 4, 2)).overdue == [pay.pk]
    assert performance_sweep(today=D(2026, 4, 3)).overdue == []
    flagged = Notice.objects.get(user=mia, kind="obligation.overdue")
    assert "2026-04-01" in flagged.text and flagged.url.endswith("#after-agreement")
    told = Notice.objects.get(user=ben, kind="obligation.overdue")
    assert "强制执行" in told.text  # the consequences of not performing, in the default language
    event = events(pay.case, "obligation.overdue")
    assert len(event) == 1
    assert event[0].payload["mediator_recipients"] == [mia.pk]
    assert event[0].payload["obligor_recipients"] == [ben.pk]
    pay.refresh_from_db()
    assert pay.overdue_flagged_at is not None

    client.force_login(mia)
    page = client.get(f"/en/cases/{pay.case.case_no}/").content.decode()
    assert 'data-overdue="true"' in page
    assert "flagged to the mediator on" in page


def test_nothing_is_sent_for_a_performed_obligation(pay, alice):
    obligation_confirm(obligation=pay, user=alice)
    result = performance_sweep(today=D(2026, 4, 2))
    assert (result.reminded, result.overdue) == ([], [])
    assert not Notice.objects.filter(kind__in=["obligation.reminder", "obligation.overdue"])
