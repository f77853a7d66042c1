"""A deadline that depends on 2027 (no calendar covers it) is provisional until an
administrator enters 2027; entering it recounts every running deadline, traced, and the
deadline is exact."""

from __future__ import annotations

import pytest
from django.db import transaction

from accord.audit.actors import Actor
from accord.cases import services
from accord.cases.services.transitions import lock_case
from accord.deadlines.follow import recompute_open_deadlines
from accord.deadlines.models import DayCount, DeadlineKind
from accord.deadlines.rules import Period
from accord.deadlines.services import deadline_open
from accord.orgs.models import Role
from accord.workdays.services import calendar_year_enter
from tests.cases.conftest import as_user
from tests.deadlines.conftest import D, deadline, events
from tests.factories import MembershipFactory, UserFactory
from tests.workdays.conftest import days_2027

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_actor(db):
    root = as_user(UserFactory(username="root"))
    MembershipFactory(user=root, organization=None, role=Role.SYSADMIN)
    return Actor.for_user(root, role=Role.SYSADMIN)


def test_a_2027_deadline_is_provisional_until_2027_is_entered(
    court_case, ada, root_actor, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    case = court_case(materials_signed_on=D(2026, 12, 2))
    services.case_accept(case=case, user=ada)
    # 30 calendar days: Friday 1 January 2027, a working day on weekends-only counting.
    court = deadline(case, DeadlineKind.COURT_MEDIATION)
    assert (court.due_on, court.provisional) == (D(2027, 1, 1), True)
    # And one in working days: ten from Sunday 20 December 2026 reach 1 January 2027 too.
    with transaction.atomic():
        working = deadline_open(
            locked=lock_case(case),
            kind=DeadlineKind.RECUSAL_DECISION,
            subject="recusal:1",
            period=Period(D(2026, 12, 20), DayCount.WORKING, 10),
            actor=Actor.system("test"),
        )
    assert (working.due_on, working.provisional) == (D(2027, 1, 1), True)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(year=2027, days=days_2027(), actor=root_actor)

    # 1 January 2027 is a holiday now: both move to Monday 4 January, exact.
    court.refresh_from_db()
    working.refresh_from_db()
    assert (court.due_on, court.provisional) == (D(2027, 1, 4), False)
    assert (working.due_on, working.provisional) == (D(2027, 1, 4), False)
    # (The answer deadline, counted from today, moves too when today is late in December.)
    ours = {court.pk, working.pk}
    recomputed = [
        e
        for e in events(case)
        if e.action == "deadline.recomputed" and e.payload["deadline_id"] in ours
    ]
    assert len(recomputed) == 2
    by_id = {e.payload["deadline_id"]: e for e in recomputed}
    assert by_id[court.pk].actor == {"kind": "system", "label": "deadlines:calendar"}
    assert {
        k: by_id[court.pk].payload[k]
        for k in ("cause", "old_due", "new_due", "old_provisional", "new_provisional")
    } == {
        "cause": "calendar_changed",
        "old_due": "2027-01-01",
        "new_due": "2027-01-04",
        "old_provisional": True,
        "new_provisional": False,
    }
    assert by_id[court.pk].payload["calendar_year"] == 2027

    # Recounting again changes nothing and traces nothing.
    traced = len(events(case))
    assert recompute_open_deadlines().changed == 0
    assert len(events(case)) == traced
