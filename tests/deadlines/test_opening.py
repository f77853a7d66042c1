"""Acceptance opens the institution's answer deadline and the mediation period, by channel
and complexity; the court's period runs from the materials signed for; outcomes and closing
stop them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accord.audit.actors import Actor
from accord.cases import services
from accord.cases.models import CaseState
from accord.cases.services.transitions import case_trace, lock_case
from accord.deadlines.models import DayCount, Deadline, DeadlineKind, DeadlineStatus
from accord.orgs.models import MediationRules, Role
from accord.workdays.periods import add_calendar_days, add_working_days
from tests.cases.conftest import as_org, member
from tests.deadlines.conftest import D, actions, deadline, events
from tests.factories import MediationOrgFactory, UserFactory

pytestmark = pytest.mark.django_db

K = DeadlineKind


def test_accepting_opens_the_answer_and_the_mediation_deadline_in_working_days(case, ada):
    services.case_accept(case=case, user=ada, complexity="normal")
    today = timezone.localdate()

    answer = deadline(case, K.ANSWER)
    assert (answer.starts_on, answer.count, answer.length_days) == (today, DayCount.WORKING, 5)
    assert (answer.due_on, answer.provisional) == add_working_days(today, 5)
    mediation = deadline(case, K.MEDIATION)
    assert (mediation.starts_on, mediation.count, mediation.length_days) == (
        today,
        DayCount.WORKING,
        30,
    )
    assert (mediation.due_on, mediation.provisional) == add_working_days(today, 30)
    assert answer.status == mediation.status == DeadlineStatus.OPEN

    opened = events(case)
    assert [e.action for e in opened] == ["deadline.opened", "deadline.opened"]
    assert opened[1].payload == {
        "deadline_id": mediation.pk,
        "kind": "mediation",
        "subject": "",
        "starts_on": today.isoformat(),
        "count": "working",
        "length_days": 30,
        "due": mediation.due_on.isoformat(),
        "provisional": mediation.provisional,
    }
    assert opened[1].actor == {"kind": "user", "user_id": ada.pk, "role": "org_admin"}


@pytest.mark.parametrize(("complexity", "days"), [("simple", 15), ("complex", 60)])
def test_the_limit_follows_the_complexity(case, ada, complexity, days):
    services.case_accept(case=case, user=ada, complexity=complexity)
    mediation = deadline(case, K.MEDIATION)
    assert mediation.length_days == days
    assert mediation.due_on == add_working_days(timezone.localdate(), days).date


def test_an_organization_that_counts_calendar_days(case, ada, org):
    MediationRules.objects.filter(organization=org).update(
        count_working_days=False, days_normal=20, answer_days=7
    )
    services.case_accept(case=case, user=ada, complexity="normal")
    today = timezone.localdate()
    mediation = deadline(case, K.MEDIATION)
    assert (mediation.count, mediation.length_days) == (DayCount.CALENDAR, 20)
    assert (mediation.due_on, mediation.provisional) == add_calendar_days(today, 20)
    # The institution's answer is always in working days.
    answer = deadline(case, K.ANSWER)
    assert (answer.count, answer.length_days) == (DayCount.WORKING, 7)


def test_a_regulator_assigned_case_follows_the_organization_limits(
    olga, regulator, application, ada
):
    case = services.case_assign_by_regulator(
        officer=olga, regulator=regulator, application=application()
    )
    services.case_accept(case=case, user=ada, complexity="simple")
    assert {d.kind for d in Deadline.objects.filter(case=case)} == {K.ANSWER, K.MEDIATION}
    assert deadline(case, K.MEDIATION).length_days == 15


def test_a_court_case_runs_the_court_period_from_the_materials_signed_for(court_case, ada):
    case = court_case(materials_signed_on=D(2026, 3, 2))
    services.case_accept(case=case, user=ada, complexity="complex")
    court = deadline(case, K.COURT_MEDIATION)
    # Not the organization's 60 working days for a complex case: the court's 30 calendar days,
    # the day of signing not counted: Wednesday 1 April 2026.
    assert (court.starts_on, court.count, court.length_days) == (
        D(2026, 3, 2),
        DayCount.CALENDAR,
        30,
    )
    assert (court.due_on, court.provisional) == (D(2026, 4, 1), False)
    assert not Deadline.objects.filter(case=case, kind=K.MEDIATION).exists()
    assert deadline(case, K.ANSWER).starts_on == timezone.localdate()


def test_the_court_period_is_a_setting(court_case, ada, settings):
    settings.ACCORD_COURT_MEDIATION_DAYS = 15
    case = court_case(materials_signed_on=D(2026, 3, 2))
    services.case_accept(case=case, user=ada)
    # 17 March 2026, a Tuesday.
    assert deadline(case, K.COURT_MEDIATION).due_on == D(2026, 3, 17)


def test_no_court_period_until_the_materials_are_signed_for(court_case, ada):
    case = court_case(entrusted_on=D(2026, 11, 30))
    services.case_accept(case=case, user=ada)
    assert [d.kind for d in Deadline.objects.filter(case=case)] == [K.ANSWER]

    services.case_sign_for_materials(case=case, user=ada, signed_on=D(2026, 12, 1))
    court = deadline(case, K.COURT_MEDIATION)
    assert (court.starts_on, court.due_on) == (D(2026, 12, 1), D(2026, 12, 31))
    assert actions(case)[-1] == "deadline.opened"


def test_an_agreement_meets_the_mediation_period_and_cancels_the_answer_wait(case, drive):
    drive(case, CaseState.AGREEMENT)
    assert deadline(case, K.MEDIATION).status == DeadlineStatus.MET
    assert deadline(case, K.MEDIATION).met_at is not None
    assert deadline(case, K.ANSWER).status == DeadlineStatus.CANCELLED
    closed = [e for e in events(case) if e.action != "deadline.opened"]
    assert {e.action for e in closed} == {"deadline.met", "deadline.cancelled"}
    assert {e.payload["cause"] for e in closed} == {"case_agreement"}


def test_a_withdrawal_cancels_and_closing_leaves_nothing_running(case, drive, mia):
    drive(case, CaseState.WITHDRAWN)
    assert set(Deadline.objects.filter(case=case).values_list("status", flat=True)) == {
        DeadlineStatus.CANCELLED
    }
    services.case_close(case=case, user=mia)
    assert not Deadline.objects.filter(case=case, status=DeadlineStatus.OPEN).exists()


def test_a_deadline_closed_after_its_day_is_missed(case, drive):
    drive(case, CaseState.MEDIATING)
    Deadline.objects.filter(case=case, kind=K.MEDIATION).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    services.case_record_outcome(case=case, user=case.mediator, outcome=CaseState.FAILED)
    assert deadline(case, K.MEDIATION).status == DeadlineStatus.MISSED


def test_the_institutions_answer_meets_its_deadline(case, ada, ben):
    services.case_accept(case=case, user=ada)
    # The answer service (another app's) traces ``case.answered`` through case_trace.
    with transaction.atomic():
        locked = lock_case(case)
        case_trace(
            locked=locked,
            action="case.answered",
            actor=Actor.for_user(ben, role="institution_staff"),
            payload={"decision": "agree"},
        )
    answer = deadline(case, K.ANSWER)
    assert answer.status == DeadlineStatus.MET
    assert events(case)[-1].payload["cause"] == "case_answered"
    assert deadline(case, K.MEDIATION).status == DeadlineStatus.OPEN


def test_a_transfer_stops_the_periods_and_the_new_organization_opens_its_own(case, ada):
    smc = as_org(MediationOrgFactory(code="SMC", name="证券纠纷调解中心"))
    sam = member(UserFactory(username="sam"), Role.ORG_ADMIN, smc)
    services.case_accept(case=case, user=ada)
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason="无对应专业调解员"
    )
    services.case_transfer_accept(transfer=transfer, user=sam, reason="同意接收")
    assert set(Deadline.objects.filter(case=case).values_list("status", flat=True)) == {
        DeadlineStatus.CANCELLED
    }
    cancelled = [e for e in events(case) if e.action == "deadline.cancelled"]
    assert {e.payload["cause"] for e in cancelled} == {"case_transferred"}
    services.case_accept(case=case, user=sam)
    running = Deadline.objects.filter(case=case, status=DeadlineStatus.OPEN)
    assert sorted(running.values_list("kind", flat=True)) == sorted([K.ANSWER, K.MEDIATION])
