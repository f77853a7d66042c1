"""The court's own period for an entrusted case, set by an administrator with a reason."""

from __future__ import annotations

import pytest

from accord.cases import services
from accord.core.api import ServiceError
from accord.deadlines.models import DeadlineKind
from accord.deadlines.services import court_period_set
from tests.deadlines.conftest import D, deadline, events

pytestmark = pytest.mark.django_db


def test_an_administrator_sets_the_courts_period_on_the_page(client, court_case, ada):
    case = court_case(materials_signed_on=D(2026, 3, 2))
    services.case_accept(case=case, user=ada)
    court = deadline(case, DeadlineKind.COURT_MEDIATION)
    client.force_login(ada)
    path = f"/en/deadlines/cases/{case.case_no}/{court.pk}/court-period/"
    assert client.get(path).status_code == 200
    assert client.post(path, {"days": "20", "reason": ""}).status_code == 400
    assert client.post(path, {"days": "20", "reason": "委托调解函（2026）第5号"}).status_code == 302
    court.refresh_from_db()
    # 20 calendar days from 2 March 2026: Sunday 22 March, moved to Monday 23.
    assert (court.length_days, court.due_on) == (20, D(2026, 3, 23))
    event = events(case)[-1]
    assert (event.action, event.payload["cause"], event.payload["reason"]) == (
        "deadline.recomputed",
        "court_period_set",
        "委托调解函（2026）第5号",
    )


def test_only_an_administrator_and_only_for_the_court_period(court_case, case, ada, mia):
    entrusted = court_case(materials_signed_on=D(2026, 3, 2))
    services.case_accept(case=entrusted, user=ada)
    court = deadline(entrusted, DeadlineKind.COURT_MEDIATION)
    with pytest.raises(ServiceError) as caught:
        court_period_set(deadline=court, user=mia, days=20, reason="x")
    assert caught.value.code == "permission_denied"
    with pytest.raises(ServiceError) as caught:
        court_period_set(deadline=court, user=ada, days=0, reason="x")
    assert caught.value.code == "days_out_of_range"
    services.case_accept(case=case, user=ada)
    with pytest.raises(ServiceError) as caught:
        court_period_set(
            deadline=deadline(case, DeadlineKind.MEDIATION), user=ada, days=20, reason="x"
        )
    assert caught.value.code == "not_court_period"
