"""Declaring, correcting and withdrawing relationships: by the mediator or an administrator,
traced on the organization's chain by id, never with the person's name or ID number."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.conflicts.models import Relationship, RelationshipKind
from accord.conflicts.services import (
    RelationshipInput,
    relationship_declare,
    relationship_update,
    relationship_withdraw,
)
from accord.core.api import ServiceError
from tests.conflicts.conftest import ALICE_ID, declare, employed

pytestmark = pytest.mark.django_db


def org_events(org):
    return list(TraceEvent.objects.filter(chain__key=f"org:{org.code}").order_by("seq"))


def test_a_mediator_declares_a_kinship_traced_by_id_only(mia, org):
    relationship = declare(
        mia, org, RelationshipKind.KINSHIP, person_name="李四", person_id_number=ALICE_ID
    )
    [event] = [e for e in org_events(org) if e.action == "relationship.declared"]
    assert event.payload == {
        "relationship": relationship.pk,
        "mediator": {"user_id": mia.pk},
        "kind": "kinship",
        "institution": None,
        "started_on": None,
        "ended_on": None,
        "identified": True,
    }
    assert event.actor["role"] == "mediator"
    assert "李四" not in str(event.payload) and ALICE_ID not in str(event.payload)


def test_an_admin_declares_corrects_and_withdraws_for_a_mediator(ada, mia, org, bank):
    relationship = relationship_declare(
        mediator=mia,
        organization=org,
        by=ada,
        data=RelationshipInput(kind="employment", institution=bank, started_on=dt.date(2020, 1, 1)),
    )
    relationship_update(
        relationship=relationship,
        by=ada,
        data=RelationshipInput(
            kind="employment",
            institution=bank,
            started_on=dt.date(2020, 1, 1),
            ended_on=dt.date(2021, 1, 1),
        ),
    )
    relationship_withdraw(relationship=relationship, by=ada)
    traced = [(e.action, e.actor["role"]) for e in org_events(org) if e.action.startswith("rel")]
    assert traced == [
        ("relationship.declared", "org_admin"),
        ("relationship.updated", "org_admin"),
        ("relationship.withdrawn", "org_admin"),
    ]
    updated = next(e for e in org_events(org) if e.action == "relationship.updated")
    assert updated.payload["changed"] == ["ended_on"]
    relationship.refresh_from_db()
    assert relationship.withdrawn_at is not None and relationship.withdrawn_by == ada


def test_another_mediator_or_an_outsider_may_not_declare(mia, max_, charlie, org, bank):
    data = RelationshipInput(kind="employment", institution=bank, started_on=dt.date(2020, 1, 1))
    for by in (max_, charlie):
        with pytest.raises(NotAllowed):
            relationship_declare(mediator=mia, organization=org, by=by, data=data)
    assert not Relationship.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RelationshipInput(kind="nonsense"), "kind"),
        (RelationshipInput(kind="kinship"), "person_name"),
        (RelationshipInput(kind="employment", started_on=dt.date(2020, 1, 1)), "institution"),
        (
            RelationshipInput(kind="kinship", person_name="李四", person_id_number="123"),
            "person_id_number",
        ),
    ],
)
def test_bad_declarations_are_refused_on_their_field_and_write_nothing(mia, org, data, field):
    before = TraceEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        relationship_declare(mediator=mia, organization=org, by=mia, data=data)
    assert field in refused.value.fields
    assert TraceEvent.objects.count() == before and not Relationship.objects.exists()


def test_a_period_ending_before_it_starts_is_refused(mia, org, bank):
    with pytest.raises(ServiceError) as refused:
        employed(mia, org, bank, started_on=dt.date(2020, 1, 1), ended_on=dt.date(2019, 1, 1))
    assert "ended_on" in refused.value.fields


def test_a_non_mediator_has_nothing_to_declare(ada, org, bank):
    with pytest.raises(ServiceError) as refused:
        employed(ada, org, bank)
    assert refused.value.code == "invalid_mediator"
