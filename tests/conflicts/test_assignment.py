"""A conflicted mediator is refused on assignment and replacement (nothing written); an
override needs a reason and is traced with the relationships by id, in the same transaction."""

from __future__ import annotations

import pytest

from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.core.api import ConflictError, ServiceError
from tests.cases.conftest import snapshot
from tests.conflicts.conftest import actions, employed, events

pytestmark = pytest.mark.django_db


def test_a_conflicted_mediator_is_refused_and_nothing_is_written(accepted, ada, mia, org, bank):
    employed(mia, org, bank)
    before = snapshot()
    with pytest.raises(ConflictError) as refused:
        case_services.case_assign_mediator(case=accepted, user=ada, mediator=mia)
    assert refused.value.code == "mediator_conflict"
    assert refused.value.fields["mediator"] == [refused.value.message]
    assert "Employed by 示例银行 from 2019-01-01 to present" in refused.value.message
    assert snapshot() == before
    accepted.refresh_from_db()
    assert (accepted.state, accepted.mediator) == (CaseState.ACCEPTED, None)
    assert "case.assigned" not in actions(accepted)


def test_an_override_without_a_reason_is_refused(accepted, ada, mia, org, bank):
    employed(mia, org, bank)
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        case_services.case_assign_mediator(
            case=accepted, user=ada, mediator=mia, override=True, override_reason="  "
        )
    assert refused.value.code == "reason_required"
    assert "override_reason" in refused.value.fields
    assert snapshot() == before


def test_an_override_with_a_reason_assigns_and_is_traced(accepted, ada, mia, org, bank):
    relationship = employed(mia, org, bank)
    case_services.case_assign_mediator(
        case=accepted,
        user=ada,
        mediator=mia,
        override=True,
        override_reason="唯一熟悉该业务的调解员",
    )
    accepted.refresh_from_db()
    assert (accepted.state, accepted.mediator) == (CaseState.ASSIGNED, mia)
    [overridden] = events(accepted, "conflict.overridden")
    assert overridden.payload == {
        "mediator": {"user_id": mia.pk},
        "relationships": [relationship.pk],
        "possible": [],
        "reason": "唯一熟悉该业务的调解员",
    }
    assert overridden.actor == {"kind": "user", "user_id": ada.pk, "role": "org_admin"}
    # In the assignment's transaction, right before its move.
    assert actions(accepted)[-2:] == ["conflict.overridden", "case.assigned"]


def test_an_unconflicted_mediator_is_assigned_without_any_override_event(
    accepted, ada, max_, mia, org, bank
):
    employed(mia, org, bank)
    case_services.case_assign_mediator(case=accepted, user=ada, mediator=max_)
    assert "conflict.overridden" not in actions(accepted)


def test_replacing_with_a_conflicted_mediator_is_refused_then_overridden(
    mediating, ada, mia, max_, org, bank
):
    employed(max_, org, bank)
    before = snapshot()
    with pytest.raises(ConflictError) as refused:
        case_services.case_replace_mediator(
            case=mediating, user=ada, mediator=max_, reason="工作调整"
        )
    assert refused.value.code == "mediator_conflict"
    assert snapshot() == before
    case_services.case_replace_mediator(
        case=mediating,
        user=ada,
        mediator=max_,
        reason="工作调整",
        override=True,
        override_reason="当事人同意",
    )
    mediating.refresh_from_db()
    assert mediating.mediator == max_
    assert actions(mediating)[-2:] == ["conflict.overridden", "case.mediator_replaced"]
