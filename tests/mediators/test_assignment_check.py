"""The roster's assignment check, through the case services: a suspended or exited mediator
is refused (nothing written), even with a conflict override; no profile counts as active."""

from __future__ import annotations

import pytest

from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.core.api import ConflictError
from accord.mediators import services
from accord.orgs.models import Role
from tests.cases.conftest import member
from tests.mediators.conftest import nothing_written


@pytest.mark.parametrize("status", ["suspended", "exited"])
def test_an_unavailable_mediator_is_not_assigned(mia_profile, ada, mia, case, drive, status):
    if status == "suspended":
        services.mediator_status_change(
            profile=mia_profile, to="suspended", reason="调查", user=ada
        )
    else:
        services.mediator_exit(profile=mia_profile, reasons="辞职", user=ada)
    drive(case, CaseState.ACCEPTED)
    with nothing_written(), pytest.raises(ConflictError) as refused:
        case_services.case_assign_mediator(case=case, user=ada, mediator=mia)
    assert refused.value.code == "mediator_unavailable"
    assert "mediator" in refused.value.fields
    assert ("Suspended" if status == "suspended" else "Exited") in refused.value.message
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.mediator is None
    # An override is for declared conflicts, not for availability.
    with nothing_written(), pytest.raises(ConflictError):
        case_services.case_assign_mediator(
            case=case, user=ada, mediator=mia, override=True, override_reason="急需"
        )


def test_a_mediator_without_a_profile_or_active_is_assigned(
    make_profile, ada, mia, max_, case, drive
):
    drive(case, CaseState.ACCEPTED)
    case_services.case_assign_mediator(case=case, user=ada, mediator=max_)  # no profile
    assert case.mediator == max_
    make_profile(mia, case.organization)
    case_services.case_replace_mediator(case=case, user=ada, mediator=mia, reason="专业对口")
    assert case.mediator == mia


def test_a_suspended_mediator_cannot_replace_another(make_profile, ada, mia, max_, case, drive):
    drive(case, CaseState.MEDIATING)
    profile = make_profile(max_, case.organization)
    services.mediator_status_change(profile=profile, to="suspended", reason="调查", user=ada)
    with nothing_written(), pytest.raises(ConflictError) as refused:
        case_services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="换人")
    assert refused.value.code == "mediator_unavailable"
    case.refresh_from_db()
    assert case.mediator == mia


def test_a_profile_elsewhere_does_not_count(
    make_profile, ada, charlie, other_org, org, case, drive
):
    """charlie is suspended in another organization; here (as a new mediator) he is not."""
    profile = make_profile(charlie, other_org)
    services.mediator_status_change(profile=profile, to="suspended", reason="调查", user=ada)
    member(charlie, Role.MEDIATOR, org)
    drive(case, CaseState.ACCEPTED)
    case_services.case_assign_mediator(case=case, user=ada, mediator=charlie)
    assert case.mediator == charlie
