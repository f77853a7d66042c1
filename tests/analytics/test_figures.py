"""Every figure on crafted data: the counts are known, the scope is the 上海 organization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.analytics import figures
from accord.analytics.figures import TABLES, Period, Table, dashboard
from accord.analytics.scope import Scope, ScopeKind
from tests.analytics.builders import make_case, make_feedback
from tests.analytics.conftest import PERIOD, World

pytestmark = pytest.mark.django_db


def org_scope(world: World) -> Scope:
    return Scope(ScopeKind.ORGANIZATION, world.org)


def rows(table: Table) -> dict[object, tuple[object, ...]]:
    return {row[0]: row[1:] for row in table.rows}


def test_intake_per_month_and_channel(world: World) -> None:
    table = figures.intake_month(org_scope(world), PERIOD)
    assert table.columns[0] == "Month" and table.columns[-1] == "Total"
    # application, regulator, court, total
    assert table.rows == (
        ("2026-03", 1, 1, 0, 2),
        ("2026-04", 2, 0, 0, 2),
        ("2026-05", 1, 0, 0, 1),
    )


def test_intake_by_channel_type_institution_product(world: World) -> None:
    scope = org_scope(world)
    by_channel = rows(figures.intake_channel(scope, PERIOD))
    assert by_channel["Party application"] == (4, 80.0)
    assert by_channel["Assigned by a financial regulator"] == (1, 20.0)
    assert by_channel["Entrusted by a court"] == (0, 0.0)
    assert rows(figures.intake_type(scope, PERIOD)) == {
        "Loans and credit": (4, 80.0),
        "Insurance": (1, 20.0),
    }
    assert rows(figures.intake_institution(scope, PERIOD)) == {
        "甲银行": (4, 80.0),
        "乙银行": (1, 20.0),
    }
    # " Credit  Card " and "credit card" are one product.
    assert rows(figures.intake_product(scope, PERIOD)) == {
        "(not given)": (3, 60.0),
        "credit card": (2, 40.0),
    }


def test_top_ten_and_the_others(world: World) -> None:
    for n in range(12):
        for _ in range(n + 4):
            make_case(world.org, world.bank, received=dt.date(2026, 3, 2), product=f"P{n:02d}")
    table = figures.intake_product(org_scope(world), PERIOD)
    labels = [row[0] for row in table.rows]
    assert labels[:10] == [f"p{n:02d}" for n in range(11, 1, -1)]
    # p01 (5), p00 (4), the 2 credit cards and 3 not given
    assert table.rows[-1] == ("Others", 14, round(100 * 14 / (114 + 5), 1))
    assert len(table.rows) == 11


def test_outcomes_of_the_cases_that_ended_in_the_period(world: World) -> None:
    table = figures.outcomes(org_scope(world), PERIOD)
    found = rows(table)
    assert found["Agreement reached"] == (2, 50.0)  # c1, c5 (received before the period)
    assert found["Mediation failed"] == (1, 25.0)
    assert found["Declined"] == (1, 25.0)
    assert found["Withdrawn"] == (0, 0.0)
    # c4 (mediating) and c6 (agreement after the period)
    assert found["Still open at the end of the period"] == (2, None)
    assert "4 cases ended" in table.note


def test_time_to_outcome_against_the_limits(world: World) -> None:
    found = rows(figures.time_to_outcome(org_scope(world), PERIOD))
    # c1: 14 days, within; c2: 51 days, late (both simple); c5: 32 days, late (normal).
    assert found["Simple"] == (2, 32.5, 1, 50.0)
    assert found["Normal"] == (1, 32.0, 0, 0.0)
    assert found["Complex"] == (0, None, 0, None)
    assert found["All"] == (3, 32.0, 1, 33.3)


def test_days_are_local_days(world: World) -> None:
    # Accepted 23:30 and decided 00:30 local time: one day, whatever UTC says.
    zone = timezone.get_current_timezone()
    assert str(zone) == "Asia/Shanghai"
    case = make_case(
        world.org,
        world.bank,
        received=dt.date(2026, 4, 1),
        complexity="complex",
        accepted=dt.date(2026, 4, 1),
        outcome=("withdrawn", dt.date(2026, 4, 2)),
        due_on=dt.date(2026, 4, 2),
    )
    from accord.audit.models import TraceEvent

    assert TraceEvent.objects.filter(chain_id=case.chain_id).count() == 3
    found = rows(figures.time_to_outcome(org_scope(world), PERIOD))
    assert found["Complex"] == (1, 1.0, 1, 100.0)


def test_mediator_workload(world: World) -> None:
    table = figures.mediator_workload(org_scope(world), PERIOD)
    assert table.rows == (("米娅", 1, 1), ("马克", 0, 1))


def test_smallclaim_acceptance_rate(world: World) -> None:
    table = figures.smallclaim_proposals(org_scope(world), PERIOD)
    found = rows(table)
    assert found["Accepted"] == (2, 50.0)
    assert found["Refused"] == (1, 25.0)
    assert found["Lapsed (not answered in time)"] == (1, 25.0)
    assert found["Waiting for an answer"] == (1, None)
    assert "50.0%" in table.note


def test_court_feedback_timeliness(world: World) -> None:
    made = [
        make_case(
            world.org, world.bank, received=dt.date(2026, 1, 5), channel="court", court=world.court
        )
        for _ in range(5)
    ]
    ended = dt.date(2026, 4, 1)
    make_feedback(made[0], ended=ended, status="met", due_on=dt.date(2026, 4, 6))
    make_feedback(made[1], ended=ended, status="missed", due_on=dt.date(2026, 4, 6))
    make_feedback(made[2], ended=ended, status="open", due_on=dt.date(2026, 4, 6))
    make_feedback(made[3], ended=ended, status="open", due_on=dt.date(2099, 1, 1))
    # Ended before the period: not counted.
    make_feedback(made[4], ended=dt.date(2026, 2, 1), status="met", due_on=dt.date(2026, 2, 4))
    table = figures.court_feedback(org_scope(world), PERIOD)
    found = rows(table)
    assert found["On time (within 3 working days)"] == (1, 25.0)
    assert found["Late (done after the limit)"] == (1, 25.0)
    assert found["Overdue (not done, past the limit)"] == (1, 25.0)
    assert found["Pending (within the limit)"] == (1, 25.0)
    assert "50.0%" in table.note


def test_the_dashboard_has_every_table(world: World) -> None:
    board = dashboard(org_scope(world), PERIOD)
    assert [table.key for table in board.tables] == list(TABLES)
    assert board.period == PERIOD


def test_a_period_without_cases_gives_zeros(world: World) -> None:
    empty = Period(dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    board = dashboard(org_scope(world), empty)
    by_key = {table.key: table for table in board.tables}
    assert by_key["intake_month"].rows == (("2020-01", 0, 0, 0, 0),)
    assert by_key["mediator_workload"].rows == (("米娅", 1, 0),)  # c4 is open now
    assert rows(by_key["time_to_outcome"])["All"] == (0, None, 0, None)
