"""Changing a case's complexity recounts its mediation period, traced."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accord.cases import services
from accord.deadlines.models import DeadlineKind
from accord.workdays.periods import add_working_days
from tests.deadlines.conftest import D, deadline, events

pytestmark = pytest.mark.django_db


def test_a_complexity_change_recounts_the_mediation_period(case, ada):
    services.case_accept(case=case, user=ada, complexity="simple")
    before = deadline(case, DeadlineKind.MEDIATION)
    answer_before = deadline(case, DeadlineKind.ANSWER).due_on

    services.case_set_complexity(case=case, user=ada, complexity="complex", reason="涉及多份合同")

    after = deadline(case, DeadlineKind.MEDIATION)
    today = timezone.localdate()
    assert (before.length_days, after.length_days) == (15, 60)
    assert after.starts_on == before.starts_on == today
    assert (after.due_on, after.provisional) == add_working_days(today, 60)
    # Only the mediation period depends on the complexity.
    assert deadline(case, DeadlineKind.ANSWER).due_on == answer_before

    event = events(case)[-1]
    assert event.action == "deadline.recomputed"
    assert event.actor == {"kind": "user", "user_id": ada.pk, "role": "org_admin"}
    assert event.payload == {
        "deadline_id": after.pk,
        "kind": "mediation",
        "cause": "complexity_changed",
        "old_due": before.due_on.isoformat(),
        "new_due": after.due_on.isoformat(),
        "old_provisional": before.provisional,
        "new_provisional": after.provisional,
        "count": "working",
        "length_days": 60,
        "extension_days": 0,
        "complexity": "complex",
    }


def test_the_court_period_does_not_follow_the_complexity(court_case, ada):
    case = court_case(materials_signed_on=D(2026, 3, 2))
    services.case_accept(case=case, user=ada, complexity="simple")
    services.case_set_complexity(case=case, user=ada, complexity="complex", reason="复杂")
    assert deadline(case, DeadlineKind.COURT_MEDIATION).due_on == D(2026, 4, 1)
    assert "deadline.recomputed" not in [e.action for e in events(case)]
