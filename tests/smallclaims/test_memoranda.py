"""Memoranda: entered, corrected and deleted by either side, traced on the organization's
chain; refusals write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accord.audit.models import TraceEvent
from accord.core.api import ServiceError
from accord.orgs.services import org_chain
from accord.smallclaims.models import Memorandum
from accord.smallclaims.selectors import memoranda_for
from accord.smallclaims.services.memoranda import (
    memorandum_create,
    memorandum_delete,
    memorandum_update,
)
from accord.smallclaims.services.proposals import proposal_issue

from .conftest import memo_input, proposal_input, today, written

pytestmark = pytest.mark.django_db


def org_actions(org) -> list[str]:
    chain = org_chain(org)
    return list(
        TraceEvent.objects.filter(chain=chain, action__startswith="memorandum.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_an_org_admin_enters_a_memorandum_traced_on_the_org_chain(org, bank, ada) -> None:
    made = memorandum_create(organization=org, institution=bank, data=memo_input(), by=ada)
    assert made.threshold == Decimal("50000.00")
    assert made.business_types == ["wealth_management"]
    assert org_actions(org) == ["memorandum.created"]
    event = TraceEvent.objects.get(action="memorandum.created")
    assert event.payload["memorandum_id"] == made.pk
    assert event.payload["threshold"] == "50000.00"
    assert event.payload["institution"] == "BANK"
    assert event.actor_user_id == ada.pk


def test_institution_staff_enter_and_correct_one(org, bank, ben) -> None:
    made = memorandum_create(organization=org, institution=bank, data=memo_input(), by=ben)
    assert list(memoranda_for(ben)) == [made]
    changed = memorandum_update(
        memorandum=made, data=memo_input(threshold=Decimal("30000.00")), by=ben
    )
    assert changed.threshold == Decimal("30000.00")
    event = TraceEvent.objects.get(action="memorandum.updated")
    assert event.payload["changes"] == {"threshold": {"from": "50000.00", "to": "30000.00"}}
    # No change, no event.
    memorandum_update(memorandum=changed, data=memo_input(threshold=Decimal("30000.00")), by=ben)
    assert org_actions(org) == ["memorandum.created", "memorandum.updated"]


def test_delete_is_traced(memorandum, org, ada) -> None:
    memorandum_delete(memorandum=memorandum, by=ada)
    assert not Memorandum.objects.exists()
    assert org_actions(org) == ["memorandum.created", "memorandum.deleted"]


def test_one_a_proposal_relied_on_cannot_be_deleted(memorandum, mediating, mia, ada) -> None:
    proposal_issue(case=mediating, user=mia, data=proposal_input())
    before = written()
    with pytest.raises(ServiceError) as refused:
        memorandum_delete(memorandum=memorandum, by=ada)
    assert refused.value.code == "memorandum_in_use"
    assert written() == before


@pytest.mark.parametrize("who", ["mia", "alice", "charlie"])
def test_others_may_not_manage_memoranda(request, org, bank, who) -> None:
    user = request.getfixturevalue(who)
    before = written()
    with pytest.raises(ServiceError) as refused:
        memorandum_create(organization=org, institution=bank, data=memo_input(), by=user)
    assert refused.value.code == "permission_denied"
    assert written() == before
    assert not memoranda_for(user).exists()


def test_overlapping_memoranda_are_refused(memorandum, org, bank, ada) -> None:
    before = written()
    with pytest.raises(ServiceError) as refused:
        memorandum_create(
            organization=org,
            institution=bank,
            data=memo_input(valid_from=today() + dt.timedelta(days=100)),
            by=ada,
        )
    assert refused.value.code == "memorandum_overlap"
    assert "valid_from" in refused.value.fields
    assert written() == before
    # A later period is fine.
    memorandum_create(
        organization=org,
        institution=bank,
        data=memo_input(
            valid_from=today() + dt.timedelta(days=366),
            valid_to=today() + dt.timedelta(days=700),
        ),
        by=ada,
    )


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"valid_to": dt.date(2020, 1, 1)}, "dates_out_of_order", "valid_to"),
        ({"signed_on": dt.date(2099, 1, 1)}, "invalid", "signed_on"),
        ({"threshold": Decimal("0")}, "invalid", "threshold"),
        ({"threshold": Decimal("10.005")}, "invalid", "threshold"),
        ({"business_types": []}, "invalid", "business_types"),
        ({"business_types": ["not_financial"]}, "invalid", "business_types"),
        ({"answer_days": 0}, "invalid", "answer_days"),
    ],
)
def test_invalid_input_writes_nothing(org, bank, ada, overrides, code, field) -> None:
    before = written()
    with pytest.raises(ServiceError) as refused:
        memorandum_create(organization=org, institution=bank, data=memo_input(**overrides), by=ada)
    assert refused.value.code == code
    assert field in refused.value.fields
    assert written() == before


def test_the_counterparty_must_be_an_institution(org, other_org, ada) -> None:
    before = written()
    with pytest.raises(ServiceError) as refused:
        memorandum_create(organization=org, institution=other_org, data=memo_input(), by=ada)
    assert refused.value.code in {"invalid_counterparty", "permission_denied"}
    assert written() == before
