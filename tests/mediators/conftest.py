"""The cast of the roster tests: the case tests' people (ada administers FMC, mia and max
mediate there, alice applies against BANK where ben works, charlie belongs elsewhere), a
profile for each mediator, and a snapshot of every table the roster writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.cases.models import Case
from accord.inbox.models import Notice
from accord.mediators import models as m
from accord.mediators.services import ProfileData, mediator_profile_save
from accord.orgs.models import Membership, Organization, Role
from tests.cases.conftest import (  # noqa: F401 (fixtures, shared)
    _english,
    ada,
    alice,
    application,
    as_org,
    as_user,
    bank,
    ben,
    bob,
    case,
    charlie,
    drive,
    evidence_bucket,
    max_,
    member,
    mia,
    org,
    other_org,
)


def admin_actor(user: Any) -> Actor:
    return Actor.for_user(user, role=Role.ORG_ADMIN)


@pytest.fixture
def make_profile(ada) -> Callable[..., m.MediatorProfile]:  # noqa: F811
    def make(user: Any, organization: Organization, **data: Any) -> m.MediatorProfile:
        membership = Membership.objects.get(
            user=user, organization=organization, role=Role.MEDIATOR
        )
        values: dict[str, Any] = {"specialties": ["banking"], "years_of_experience": 8}
        values.update(data)
        return mediator_profile_save(
            membership=membership, data=ProfileData(**values), actor=admin_actor(ada)
        )

    return make


@pytest.fixture
def mia_profile(make_profile, mia, org) -> m.MediatorProfile:  # noqa: F811
    return make_profile(mia, org, languages="普通话, English")


def org_events(organization: Organization) -> list[TraceEvent]:
    organization.refresh_from_db()
    if organization.chain_id is None:
        return []
    return list(TraceEvent.objects.filter(chain_id=organization.chain_id).order_by("seq"))


def case_events(case: Case) -> list[TraceEvent]:  # noqa: F811
    return list(TraceEvent.objects.filter(chain_id=case.chain_id).order_by("seq"))


@dataclass(frozen=True)
class Tables:
    counts: tuple[int, ...]
    profiles: tuple[tuple[int, str], ...]
    cases: tuple[tuple[int, str, int | None], ...]


def tables() -> Tables:
    return Tables(
        counts=tuple(
            model.objects.count()
            for model in (
                m.MediatorProfile,
                m.Qualification,
                m.StatusChange,
                m.Assessment,
                m.RewardPenalty,
                m.TrainingRecord,
                m.GuidanceSession,
                m.Feedback,
                TraceEvent,
                Notice,
            )
        ),
        profiles=tuple(m.MediatorProfile.objects.order_by("id").values_list("id", "status")),
        cases=tuple(Case.objects.order_by("id").values_list("id", "state", "mediator_id")),
    )


@contextmanager
def nothing_written() -> Iterator[None]:
    before = tables()
    yield
    assert tables() == before
