"""Reminders to the mediator 3 and 1 working days before a deadline, each once; escalation
of an overdue deadline to the organization's administrators, once."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.cases import services
from accord.cases.models import CaseState
from accord.deadlines.models import DeadlineKind
from accord.deadlines.sweep import deadlines_sweep
from accord.inbox.models import Notice
from accord.workdays.periods import is_working_day
from tests.deadlines.conftest import D, deadline, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def court(court_case, drive):
    """A court case mediated by mia whose court period ends on Wednesday 1 April 2026."""
    case = court_case(materials_signed_on=D(2026, 3, 2))
    drive(case, CaseState.MEDIATING)
    found = deadline(case, DeadlineKind.COURT_MEDIATION)
    assert found.due_on == D(2026, 4, 1)
    # Friday 27, Monday 30, Tuesday 31 March and Wednesday 1 April are working days.
    assert all(is_working_day(D(2026, 3, d)).working for d in (26, 27, 30, 31))
    return found


def reminders(user):
    return list(Notice.objects.filter(user=user, kind="deadline.reminder").order_by("pk"))


def test_reminders_go_three_and_one_working_days_before_each_once(court, mia):
    case = court.case
    assert deadlines_sweep(today=D(2026, 3, 26)).reminded == []  # 4 working days left
    assert deadlines_sweep(today=D(2026, 3, 27)).reminded == [(court.pk, 3)]
    assert deadlines_sweep(today=D(2026, 3, 27)).reminded == []
    assert deadlines_sweep(today=D(2026, 3, 28)).reminded == []  # a Saturday, still 3 left
    assert deadlines_sweep(today=D(2026, 3, 30)).reminded == []  # 2 left
    assert deadlines_sweep(today=D(2026, 3, 31)).reminded == [(court.pk, 1)]
    assert deadlines_sweep(today=D(2026, 3, 31)).reminded == []
    assert deadlines_sweep(today=D(2026, 4, 1)).reminded == []

    sent = reminders(mia)
    assert len(sent) == 2
    assert case.case_no in sent[0].text and "2026-04-01" in sent[0].text
    assert sent[0].url == f"/cases/{case.case_no}/"
    court.refresh_from_db()
    assert court.reminders_sent == [3, 1]
    reminded = [e for e in events(case) if e.action == "deadline.reminded"]
    assert [e.payload["days_before"] for e in reminded] == [3, 1]
    assert reminded[0].payload["recipients"] == [mia.pk]
    assert reminded[0].actor == {"kind": "system", "label": "deadlines:sweep"}


def test_a_late_sweep_sends_only_the_nearest_reminder(court, mia):
    assert deadlines_sweep(today=D(2026, 3, 31)).reminded == [(court.pk, 1)]
    court.refresh_from_db()
    assert court.reminders_sent == [3, 1]
    assert len(reminders(mia)) == 1


def test_the_reminder_days_are_the_organizations(court, mia, org):
    org.rules.reminder_days = "5"
    org.rules.save()
    # Five working days before 1 April: from Wednesday 25 March.
    assert deadlines_sweep(today=D(2026, 3, 24)).reminded == []
    assert deadlines_sweep(today=D(2026, 3, 25)).reminded == [(court.pk, 5)]
    assert deadlines_sweep(today=D(2026, 3, 31)).reminded == []


def test_an_overdue_deadline_is_escalated_to_the_administrators_once(court, ada, mia):
    assert deadlines_sweep(today=D(2026, 4, 1)).escalated == []  # runs to the end of the day
    assert deadlines_sweep(today=D(2026, 4, 2)).escalated == [court.pk]
    assert deadlines_sweep(today=D(2026, 4, 3)).escalated == []
    assert deadlines_sweep(today=D(2026, 5, 3)).escalated == []

    [notice] = Notice.objects.filter(kind="deadline.escalated")
    assert notice.user == ada and court.case.case_no in notice.text
    court.refresh_from_db()
    assert court.escalated_at is not None
    [event] = [e for e in events(court.case) if e.action == "deadline.escalated"]
    assert event.payload == {
        "deadline_id": court.pk,
        "kind": "court_mediation",
        "due": "2026-04-01",
        "provisional": False,
        "recipients": [ada.pk],
    }
    assert not Notice.objects.filter(user=mia, kind="deadline.escalated").exists()


def test_a_closed_deadline_is_neither_reminded_nor_escalated(court, mia):
    services.case_record_outcome(case=court.case, user=mia, outcome=CaseState.AGREEMENT)
    result = deadlines_sweep(today=D(2026, 3, 31))
    assert result.reminded == []
    assert deadlines_sweep(today=D(2026, 4, 2)).escalated == []


def test_the_institution_is_reminded_of_its_answer(case, drive, ada, ben):
    drive(case, CaseState.ACCEPTED)
    answer = deadline(case, DeadlineKind.ANSWER)
    due = answer.due_on
    # The sweep of the working day one working day before the answer is due.
    day = due - dt.timedelta(days=1)
    while not is_working_day(day).working:
        day -= dt.timedelta(days=1)
    assert (answer.pk, 1) in deadlines_sweep(today=day).reminded
    assert [n.case_no for n in reminders(ben)] == [case.case_no]
    assert [n.case_no for n in reminders(ada)] == [case.case_no]  # no mediator yet: the admin
    reminded = [e for e in events(case) if e.action == "deadline.reminded"]
    assert reminded[-1].payload["recipients"] == sorted([ben.pk, ada.pk])
