"""Profiles, qualifications, status changes and the exit decision: each traced on the
organization's chain with ids only; every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord.audit.models import TraceEvent
from accord.cases import services as case_services
from accord.cases.models import CaseState
from accord.core.api import ConflictError, ServiceError
from accord.mediators import services
from accord.mediators.models import MediatorStatus, Qualification, StatusChange
from accord.orgs.models import Membership, Role
from tests.mediators.conftest import admin_actor, nothing_written, org_events


def test_a_profile_is_created_then_updated_and_traced_by_ids(mia_profile, mia, org, ada):
    assert mia_profile.status == MediatorStatus.ACTIVE
    assert mia_profile.specialties == ["banking"]
    created = org_events(org)[-1]
    assert created.action == "mediator.profile_created"
    assert created.payload["profile_id"] == mia_profile.pk
    assert created.payload["user_id"] == mia.pk
    services.mediator_profile_save(
        membership=mia_profile.membership,
        data=services.ProfileData(
            specialties=["securities", "banking", "securities"], years_of_experience=9
        ),
        actor=admin_actor(ada),
    )
    mia_profile.refresh_from_db()
    # The list's order, once each.
    assert mia_profile.specialties == ["banking", "securities"]
    updated = org_events(org)[-1]
    assert updated.action == "mediator.profile_updated"
    assert set(updated.payload["fields"]) == {"specialties", "years_of_experience", "languages"}
    text = json.dumps([event.payload for event in org_events(org)], ensure_ascii=False)
    assert "Mia" not in text and "mia" not in text and "English" not in text


def test_saving_the_same_profile_again_traces_nothing(mia_profile, ada):
    with nothing_written():
        services.mediator_profile_save(
            membership=mia_profile.membership,
            data=services.ProfileData(
                specialties=["banking"], years_of_experience=8, languages="普通话, English"
            ),
            actor=admin_actor(ada),
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"specialties": ["cooking"], "years_of_experience": 1}, "specialties"),
        ({"specialties": [], "years_of_experience": -1}, "years_of_experience"),
        ({"specialties": [], "years_of_experience": 81}, "years_of_experience"),
    ],
)
def test_a_bad_profile_is_refused_on_its_field(mia, org, ada, data, field):
    membership = Membership.objects.get(user=mia, organization=org, role=Role.MEDIATOR)
    with nothing_written(), pytest.raises(ServiceError) as refused:
        services.mediator_profile_save(
            membership=membership, data=services.ProfileData(**data), actor=admin_actor(ada)
        )
    assert field in refused.value.fields


def test_only_a_mediator_membership_has_a_profile(ada, org):
    membership = Membership.objects.get(user=ada, organization=org, role=Role.ORG_ADMIN)
    with nothing_written(), pytest.raises(ServiceError) as refused:
        services.mediator_profile_save(
            membership=membership,
            data=services.ProfileData(specialties=[], years_of_experience=1),
            actor=admin_actor(ada),
        )
    assert refused.value.code == "not_a_mediator"


def test_qualifications_are_added_and_removed(mia_profile, org, ada):
    qualification = services.qualification_add(
        profile=mia_profile,
        kind="law",
        title="法律职业资格",
        certificate_no="A2019110101",
        issued_on=dt.date(2019, 3, 1),
        actor=admin_actor(ada),
    )
    added = org_events(org)[-1]
    assert added.action == "mediator.qualification_added"
    assert added.payload == {
        "profile_id": mia_profile.pk,
        "qualification_id": qualification.pk,
        "kind": "law",
    }
    services.qualification_remove(qualification=qualification, actor=admin_actor(ada))
    assert not Qualification.objects.exists()
    assert org_events(org)[-1].action == "mediator.qualification_removed"


@pytest.mark.parametrize(
    ("kind", "number", "issued_on", "field"),
    [
        ("medicine", "1", dt.date(2020, 1, 1), "kind"),
        ("finance", " ", dt.date(2020, 1, 1), "certificate_no"),
        ("finance", "1", None, "issued_on"),
        ("finance", "1", dt.date.today() + dt.timedelta(days=2), "issued_on"),
    ],
)
def test_a_bad_qualification_is_refused(mia_profile, ada, kind, number, issued_on, field):
    with nothing_written(), pytest.raises(ServiceError) as refused:
        services.qualification_add(
            profile=mia_profile,
            kind=kind,
            title="基金从业资格",
            certificate_no=number,
            issued_on=issued_on,
            actor=admin_actor(ada),
        )
    assert field in refused.value.fields


def test_a_suspension_and_a_reinstatement_are_recorded_with_reasons(mia_profile, org, ada):
    change = services.mediator_status_change(
        profile=mia_profile, to="suspended", reason="接受调查", user=ada
    )
    mia_profile.refresh_from_db()
    assert mia_profile.status == MediatorStatus.SUSPENDED
    assert (change.from_status, change.to_status, change.reason, change.decided_by) == (
        "active",
        "suspended",
        "接受调查",
        ada,
    )
    event = org_events(org)[-1]
    assert event.action == "mediator.status_changed"
    assert event.payload["status_change_id"] == change.pk
    assert (event.payload["from"], event.payload["to"]) == ("active", "suspended")
    assert "接受调查" not in json.dumps(event.payload, ensure_ascii=False)
    services.mediator_status_change(profile=mia_profile, to="active", reason="调查结束", user=ada)
    mia_profile.refresh_from_db()
    assert mia_profile.status == MediatorStatus.ACTIVE
    assert StatusChange.objects.count() == 2


def test_a_change_to_the_same_status_is_refused(mia_profile, ada):
    with nothing_written(), pytest.raises(ConflictError) as refused:
        services.mediator_status_change(profile=mia_profile, to="active", reason="x", user=ada)
    assert refused.value.code == "same_status"


@pytest.mark.parametrize(
    ("to", "reason", "code"),
    [
        ("suspended", "  ", "reason_required"),
        ("exited", "离职", "invalid_status"),
        ("retired", "x", "invalid_status"),
    ],
)
def test_a_status_change_needs_a_reason_and_a_known_status(mia_profile, ada, to, reason, code):
    with nothing_written(), pytest.raises(ServiceError) as refused:
        services.mediator_status_change(profile=mia_profile, to=to, reason=reason, user=ada)
    assert refused.value.code == code


def test_an_exit_without_reasons_is_refused(mia_profile, ada):
    with nothing_written(), pytest.raises(ServiceError) as refused:
        services.mediator_exit(profile=mia_profile, reasons=" \n", user=ada)
    assert refused.value.code == "reason_required"
    assert "reasons" in refused.value.fields


def test_an_exit_is_traced_with_the_open_cases_which_keep_their_mediator(
    mia_profile, org, ada, mia, case, drive
):
    drive(case, CaseState.ASSIGNED)
    change = services.mediator_exit(profile=mia_profile, reasons="连续两年考核不合格", user=ada)
    mia_profile.refresh_from_db()
    assert mia_profile.status == MediatorStatus.EXITED
    assert change.to_status == MediatorStatus.EXITED
    event = org_events(org)[-1]
    assert event.action == "mediator.exited"
    assert event.payload["open_case_ids"] == [case.pk]
    assert event.payload["removed_from_cases"] is False
    case.refresh_from_db()
    assert case.mediator == mia and case.state == CaseState.ASSIGNED
    with nothing_written(), pytest.raises(ConflictError) as refused:
        services.mediator_exit(profile=mia_profile, reasons="again", user=ada)
    assert refused.value.code == "same_status"


def test_an_exit_can_take_the_mediator_off_their_open_cases(mia_profile, ada, case, drive):
    drive(case, CaseState.ASSIGNED)
    services.mediator_exit(profile=mia_profile, reasons="辞职", user=ada, remove_from_cases=True)
    case.refresh_from_db()
    assert case.mediator is None
    assert case.state == CaseState.ACCEPTED
    removed = TraceEvent.objects.filter(chain_id=case.chain_id).latest("seq")
    assert removed.action == "case.mediator_removed"
    assert removed.payload["cause"] == "exited"


def test_an_exited_mediator_is_only_reinstated(mia_profile, ada):
    services.mediator_exit(profile=mia_profile, reasons="辞职", user=ada)
    with nothing_written(), pytest.raises(ConflictError) as refused:
        services.mediator_status_change(profile=mia_profile, to="suspended", reason="x", user=ada)
    assert refused.value.code == "exited"
    services.mediator_status_change(profile=mia_profile, to="active", reason="重新聘任", user=ada)
    mia_profile.refresh_from_db()
    assert mia_profile.status == MediatorStatus.ACTIVE


def test_the_case_services_still_work_after_an_exit(mia_profile, ada, max_, case, drive):
    drive(case, CaseState.MEDIATING)
    services.mediator_exit(profile=mia_profile, reasons="辞职", user=ada)
    case_services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="调解员退出")
    assert case.mediator == max_
