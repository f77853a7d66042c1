"""Delivering callbacks (services/callbacks.py) to the court simulator: a court that is down
gets the callback later, with backoff, exactly once; after the last attempt it is a dead
letter an administrator resends; a callback the court cannot verify is not delivered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pytest_django import Settings

from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.core.api import ConflictError
from accord.courts.models import CallbackStatus, CourtCallback
from accord.courts.services.callbacks import (
    callback_deliver,
    callback_enqueue,
    callback_resend,
    callbacks_due,
)
from accord.inbox.models import Notice
from accord.orgs.services import org_chain
from tests.courts.sim_support import World, pushed, sim, world

pytestmark = pytest.mark.django_db

__all__ = ["sim", "world"]  # fixtures


@pytest.fixture
def callback(world: World, settings: Settings) -> CourtCallback:
    """A callback owed to the court, not yet tried (its queued task is not run here)."""
    settings.ACCORD_COURT_CALLBACK_BACKOFF_SECONDS = 30
    settings.ACCORD_COURT_CALLBACK_ATTEMPTS = 8
    entrustment = pushed(world)
    return callback_enqueue(
        entrustment=entrustment, kind="feedback.sent", data={"letter": "FB-2026-0001"}
    )


def test_a_court_that_is_down_gets_the_callback_later_exactly_once(
    world: World, callback: CourtCallback
) -> None:
    world.sim.down()
    before = timezone.now()
    assert callback_deliver(callback.pk) == CallbackStatus.PENDING
    callback.refresh_from_db()
    assert callback.attempts == 1 and callback.last_error == "HTTP 503"
    # Tried again after the backoff: 30 s × 2^0 for the first failure.
    assert before + dt.timedelta(seconds=30) <= callback.next_attempt_at
    assert callback.next_attempt_at <= timezone.now() + dt.timedelta(seconds=30)
    assert [refusal["code"] for refusal in world.sim.refused] == ["down"]
    assert world.sim.events == []

    world.sim.up()
    # Not due yet: nothing is sent before its time.
    assert callbacks_due(timezone.now()) == 0
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PENDING and world.sim.events == []
    # Its time has come.
    later = timezone.now() + dt.timedelta(seconds=31)
    assert callbacks_due(later) == 1
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DELIVERED and callback.attempts == 2
    assert callbacks_due(later + dt.timedelta(hours=1)) == 0
    (event,) = world.sim.events
    assert event == callback.body
    assert world.sim.deliveries(str(callback.event_id)) == 1
    delivered = TraceEvent.objects.get(action="court.callback_delivered")
    assert delivered.chain_id == org_chain(world.org).pk
    assert delivered.payload["callback"] == str(callback.event_id)


def test_after_the_last_attempt_it_is_dead_and_an_administrator_resends_it(
    world: World,
    callback: CourtCallback,
    settings: Settings,
    eager_celery: None,
    django_capture_on_commit_callbacks,
) -> None:
    settings.ACCORD_COURT_CALLBACK_ATTEMPTS = 2
    world.sim.down()
    assert callback_deliver(callback.pk) == CallbackStatus.PENDING
    assert callbacks_due(timezone.now() + dt.timedelta(minutes=5)) == 1
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DEAD and callback.attempts == 2
    dead = TraceEvent.objects.get(action="court.callback_dead")
    assert dead.chain_id == org_chain(world.org).pk
    assert dead.payload["callback"] == str(callback.event_id)
    assert "data" not in dead.payload  # never the body
    notified = Notice.objects.filter(kind="court.callback_dead")
    assert [notice.user for notice in notified] == [world.admin]
    # A dead letter is not retried on its own, even once the court is back.
    world.sim.up()
    assert callbacks_due(timezone.now() + dt.timedelta(days=1)) == 0
    assert world.sim.events == []

    with pytest.raises(NotAllowed):
        callback_resend(callback=callback, user=world.mediator)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DEAD
    with django_capture_on_commit_callbacks(execute=True):
        callback_resend(callback=callback, user=world.admin)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DELIVERED and callback.attempts == 1
    assert TraceEvent.objects.filter(action="court.callback_resent").count() == 1
    # The same event id: the court can tell it is the event it never got.
    (event,) = world.sim.events
    assert event["event_id"] == str(callback.event_id)
    assert world.sim.deliveries(str(callback.event_id)) == 1


def test_only_a_dead_letter_is_resent(world: World, callback: CourtCallback) -> None:
    with pytest.raises(ConflictError) as pending:
        callback_resend(callback=callback, user=world.admin)
    assert pending.value.code == "not_dead"
    assert callback_deliver(callback.pk) == CallbackStatus.DELIVERED
    with pytest.raises(ConflictError) as delivered:
        callback_resend(callback=callback, user=world.admin)
    assert delivered.value.code == "not_dead"
    assert world.sim.deliveries(str(callback.event_id)) == 1
    assert not TraceEvent.objects.filter(action="court.callback_resent").exists()


def test_a_callback_signed_with_a_wrong_secret_is_refused_by_the_court(
    world: World, callback: CourtCallback
) -> None:
    world.docking.callback_secret = "not-the-secret-the-court-holds"
    world.docking.save()
    assert callback_deliver(callback.pk) == CallbackStatus.PENDING
    callback.refresh_from_db()
    assert callback.attempts == 1 and callback.last_error == "HTTP 401"
    assert [refusal["code"] for refusal in world.sim.refused] == ["signature_invalid"]
    assert world.sim.events == []
    # With the secret the court holds, the same callback goes through.
    world.docking.callback_secret = "callback-secret-of-the-simulated-court"
    world.docking.save()
    assert callback_deliver(callback.pk, force=True) == CallbackStatus.DELIVERED
    assert world.sim.deliveries(str(callback.event_id)) == 1
