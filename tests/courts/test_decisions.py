"""Deciding on an entrustment (services/entrustments.py), with the court simulator as the
court: accepting opens the case and tells the court, declining needs a reason and tells the
court it, only the organization's administrator decides, and only once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, CaseState
from accord.core.api import ConflictError, ServiceError
from accord.courts.models import CallbackStatus, CourtCallback, EntrustmentStatus
from accord.courts.services.entrustments import entrustment_accept, entrustment_decline
from accord.orgs.models import Role
from accord.orgs.services import org_chain
from tests.cases.conftest import member
from tests.courts.sim_support import World, pushed, sim, world
from tests.factories import MediationOrgFactory, UserFactory

pytestmark = pytest.mark.django_db

__all__ = ["sim", "world"]  # fixtures


def test_accepting_opens_the_case_traces_it_and_tells_the_court(
    world: World, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    entrustment = pushed(world)
    signed_on = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        case = entrustment_accept(
            entrustment=entrustment, user=world.admin, materials_signed_on=signed_on
        )
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.ACCEPTED
    assert entrustment.case == case and entrustment.decided_by == world.admin
    assert case.state == CaseState.ACCEPTED
    assert case.materials_signed_on == signed_on
    assert case.court_case_no == "(2026)京0105民初54321号"
    accepted = TraceEvent.objects.filter(action="entrustment.accepted")
    assert {event.chain_id for event in accepted} == {org_chain(world.org).pk, case.chain.pk}
    # The court received the event once, naming the case Accord opened.
    (event,) = world.sim.events
    assert event["event"] == "entrustment.accepted"
    assert event["entrustment_id"] == str(entrustment.uuid)
    assert event["court_case_no"] == "(2026)京0105民初54321号"
    assert event["data"]["case_no"] == case.case_no
    assert event["data"]["status"] == "accepted"
    assert event["data"]["materials_signed_on"] == signed_on.isoformat()
    assert world.sim.deliveries(event["event_id"]) == 1
    callback = CourtCallback.objects.get()
    assert (
        callback.status == CallbackStatus.DELIVERED
        and str(callback.event_id) == (event["event_id"])
    )


@pytest.mark.parametrize("offset", ["tomorrow", "before_arrival"])
def test_a_materials_date_outside_arrival_to_today_is_refused_and_changes_nothing(
    world: World, eager_celery: None, django_capture_on_commit_callbacks, offset: str
) -> None:
    entrustment = pushed(world)
    received_on = timezone.localdate(entrustment.received_at)
    day = (
        timezone.localdate() + dt.timedelta(days=1)
        if offset == "tomorrow"
        else received_on - dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError) as refused:
        entrustment_accept(entrustment=entrustment, user=world.admin, materials_signed_on=day)
    assert refused.value.code == "invalid_date"
    assert "materials_signed_on" in refused.value.fields
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.PENDING and entrustment.case is None
    assert not Case.objects.exists()
    assert not CourtCallback.objects.exists()
    assert not TraceEvent.objects.filter(action="entrustment.accepted").exists()
    assert world.sim.events == []


def test_only_an_administrator_of_the_receiving_organization_decides(
    world: World, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    entrustment = pushed(world)
    elsewhere = member(UserFactory(username="other-admin"), Role.ORG_ADMIN, MediationOrgFactory())
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        for user in (world.mediator, elsewhere):
            with pytest.raises(NotAllowed) as refused:
                entrustment_accept(entrustment=entrustment, user=user, materials_signed_on=today)
            assert refused.value.code == "permission_denied"
            with pytest.raises(NotAllowed):
                entrustment_decline(entrustment=entrustment, user=user, reason="不受理")
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.PENDING
    assert not Case.objects.exists() and not CourtCallback.objects.exists()
    assert world.sim.events == []


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_declining_without_a_reason_is_refused(world: World, reason: str) -> None:
    entrustment = pushed(world)
    with pytest.raises(ServiceError) as refused:
        entrustment_decline(entrustment=entrustment, user=world.admin, reason=reason)
    assert refused.value.code == "reason_required"
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.PENDING
    assert not CourtCallback.objects.exists()


def test_declining_with_a_reason_tells_the_court_the_reason(
    world: World, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    entrustment = pushed(world)
    reason = "本中心与被申请人存在利害关系，不宜调解。"
    with django_capture_on_commit_callbacks(execute=True):
        entrustment_decline(entrustment=entrustment, user=world.admin, reason=f"  {reason} ")
    entrustment.refresh_from_db()
    assert entrustment.status == EntrustmentStatus.DECLINED
    assert entrustment.decline_reason == reason
    (event,) = world.sim.events_of("entrustment.declined")
    assert event["data"] == {"reason": reason}
    assert event["entrustment_id"] == str(entrustment.uuid)
    assert len(world.sim.events) == 1
    # The trace keeps the reason's hash, not its text.
    traced = TraceEvent.objects.get(action="entrustment.declined")
    assert reason not in str(traced.payload) and "reason_sha256" in traced.payload
    assert not Case.objects.exists()


def test_deciding_twice_is_a_conflict_and_the_court_hears_once(
    world: World, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    accepted = pushed(world)
    declined = pushed(world, court_case_no="(2026)京0105民初54322号")
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        entrustment_accept(entrustment=accepted, user=world.admin, materials_signed_on=today)
        entrustment_decline(entrustment=declined, user=world.admin, reason="超出受理范围")
    with django_capture_on_commit_callbacks(execute=True):
        for entrustment in (accepted, declined):
            with pytest.raises(ConflictError) as again:
                entrustment_accept(
                    entrustment=entrustment, user=world.admin, materials_signed_on=today
                )
            assert again.value.code == "not_pending"
            with pytest.raises(ConflictError) as again:
                entrustment_decline(entrustment=entrustment, user=world.admin, reason="再次")
            assert again.value.code == "not_pending"
    assert Case.objects.count() == 1
    assert sorted(event["event"] for event in world.sim.events) == [
        "entrustment.accepted",
        "entrustment.declined",
    ]
    assert CourtCallback.objects.filter(status=CallbackStatus.DELIVERED).count() == 2
