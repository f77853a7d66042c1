"""The deadline tests reuse the case tests' cast (alice applies, ada administers FMC, mia
mediates, ben is staff of BANK, charlie has no business here) and add cases of the other
channels, and a look at the deadline events of a case's chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from accord.audit.models import TraceEvent
from accord.cases import services
from accord.cases.models import Case
from accord.deadlines.models import Deadline, DeadlineKind
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    charlie,
    cleo,
    court,
    drive,
    max_,
    mia,
    olga,
    org,
    other_bank,
    other_org,
    regulator,
)

D = dt.date


@pytest.fixture
def court_case(court: Any, application: Any) -> Callable[..., Case]:  # noqa: F811
    """A court-entrusted case (by the court platform), materials signed for on the given day
    (or not yet)."""

    def make(
        materials_signed_on: dt.date | None = None, entrusted_on: dt.date | None = None
    ) -> Case:
        return services.case_entrust_by_court(
            court=court,
            application=application(),
            court_case_no="(2026)京01民初123号",
            entrusted_on=entrusted_on or materials_signed_on or D(2026, 3, 2),
            materials_signed_on=materials_signed_on,
        )

    return make


def deadline(of: Case, kind: DeadlineKind) -> Deadline:
    return Deadline.objects.get(case=of, kind=kind)


def events(of: Case, prefix: str = "deadline.") -> list[TraceEvent]:
    return list(
        TraceEvent.objects.filter(chain=of.chain, action__startswith=prefix).order_by("seq")
    )


def actions(of: Case, prefix: str = "deadline.") -> list[str]:
    return [e.action for e in events(of, prefix)]
