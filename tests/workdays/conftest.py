"""The cast for the working-day calendar: root is a system administrator, alice administers an
organization (and may not touch the calendar), and the 2027 data an administrator enters.

The 2027 dates below are made up for the tests (the State Council's notice for 2027 is what an
administrator would really type): New Year's Day on Friday 1 January, a Spring Festival week
from Saturday 6 to Sunday 14 February with Saturday 20 February worked, and the National Day
week from Friday 1 to Thursday 7 October with Saturday 9 October worked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.orgs.models import Role
from accord.workdays.hooks import CalendarChange, on_calendar_changed, remove_calendar_listener
from accord.workdays.models import CalendarDay, CalendarYear
from accord.workdays.services import DayEntry
from tests.accounts.conftest import make_user
from tests.factories import MediationOrgFactory, MembershipFactory

D = dt.date

TEXT_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知（测试用，非真实数据）
2027-01-01 休 元旦
2027-02-06~2027-02-14 休 春节
2027-02-20 班 春节
2027-10-01~2027-10-07 休 国庆节
2027-10-09 班 国庆节
"""


def days_2027() -> list[DayEntry]:
    def run(first: dt.date, last: dt.date, kind: str, name: str) -> list[DayEntry]:
        return [
            DayEntry(date=first + dt.timedelta(days=i), kind=kind, name=name)
            for i in range((last - first).days + 1)
        ]

    return [
        DayEntry(date=D(2027, 1, 1), kind="holiday", name="元旦"),
        *run(D(2027, 2, 6), D(2027, 2, 14), "holiday", "春节"),
        DayEntry(date=D(2027, 2, 20), kind="working_day", name="春节"),
        *run(D(2027, 10, 1), D(2027, 10, 7), "holiday", "国庆节"),
        DayEntry(date=D(2027, 10, 9), kind="working_day", name="国庆节"),
    ]


@pytest.fixture
def root(db: Any) -> User:
    user = make_user(username="root", display_name="Root")
    MembershipFactory(user=user, organization=None, role=Role.SYSADMIN)
    return user


@pytest.fixture
def alice(db: Any) -> User:
    """An organization administrator: staff, but not a system administrator."""
    user = make_user(username="alice", display_name="Alice")
    MembershipFactory(user=user, organization=MediationOrgFactory(), role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def root_actor(root: User) -> Actor:
    return Actor.for_user(root, role=Role.SYSADMIN)


@pytest.fixture
def changes() -> Iterator[list[CalendarChange]]:
    """What the calendar told its listeners (as the deadlines app will be told)."""
    seen: list[CalendarChange] = []
    listener = on_calendar_changed(seen.append)
    yield seen
    remove_calendar_listener(listener)


def counts() -> dict[str, int]:
    """What a refused entry must leave unchanged."""
    return {
        "years": CalendarYear.objects.count(),
        "days": CalendarDay.objects.count(),
        "events": TraceEvent.objects.count(),
    }


def calendar_events() -> list[TraceEvent]:
    return list(TraceEvent.objects.filter(chain__key="system:workdays").order_by("seq"))
