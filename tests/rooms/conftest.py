"""Hearing-session tests reuse the case tests' cast and drive helper; room tests add a
hearing that is open now, browser sessions for the WebSocket, and fake media workers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from accord.accounts import sms
from accord.accounts.models import User
from accord.cases.models import Case, CaseState
from accord.rooms.models import HearingSession, ParticipantRole, SessionParticipant
from accord.rooms.services import notice_acknowledge, session_schedule
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    ada,
    alice,
    application,
    bank,
    ben,
    bob,
    case,
    charlie,
    drive,
    mia,
    org,
    other_bank,
    other_org,
)


@pytest.fixture
def hearing(case: Case, drive: Any, mia: User, alice: User, ben: User) -> HearingSession:  # noqa: F811
    """A hearing open for joining now: mia mediates, alice applies, ben is the bank."""
    drive(case, CaseState.MEDIATING)
    return session_schedule(
        case=case,
        scheduled_at=timezone.now(),
        duration_minutes=60,
        title="第一次调解",
        participants=[
            (mia, ParticipantRole.MEDIATOR),
            (alice, ParticipantRole.APPLICANT),
            (ben, ParticipantRole.RESPONDENT),
        ],
        by=mia,
    )


def participant(hearing: HearingSession, user: User) -> SessionParticipant:
    return SessionParticipant.objects.select_related("session__case", "user").get(
        session=hearing, user=user
    )


@pytest.fixture
def acknowledged(hearing: HearingSession) -> HearingSession:
    """Everyone on the list has been through the device check."""
    for p in hearing.participants.select_related("session__case", "user"):
        notice_acknowledge(participant=p)
    return hearing


def session_cookie(user: User, **extra: Any) -> str:
    """A signed-in browser session for ``user`` (extra keys as a sign-in view would set)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    for key, value in extra.items():
        store[key] = value
    store.create()
    assert store.session_key is not None
    return store.session_key


@pytest.fixture
def fast_watch(settings: Any) -> None:
    settings.ACCORD_ROOM_WATCH_SECONDS = 0.2


@pytest.fixture
def workers(heartbeat_prefix: str, redis_client: redis.Redis) -> Iterator[Callable[..., str]]:
    """Registers fake media workers' heartbeats (as media_worker.registry writes them)."""
    keys: list[str] = []

    def register(load: float = 0.0, worker_id: str | None = None) -> str:
        worker_id = worker_id or f"w-{uuid.uuid4().hex[:8]}"
        key = f"{heartbeat_prefix}:media:worker:{worker_id}"
        status = {
            "id": worker_id,
            "host": "test",
            "pid": 1,
            "rooms": 0,
            "load": load,
            "started_at": 0,
            "at": 0,
        }
        redis_client.set(key, json.dumps(status), ex=60)
        keys.append(key)
        return worker_id

    yield register
    for key in keys:
        redis_client.delete(key)


def kill_worker(redis_client: redis.Redis, heartbeat_prefix: str, worker_id: str) -> None:
    redis_client.delete(f"{heartbeat_prefix}:media:worker:{worker_id}")


@pytest.fixture
def outbox(settings: Any) -> list[sms.SmsMessage]:
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.OutboxSmsBackend"
    sms.outbox.clear()
    return sms.outbox


def later(minutes: int) -> Any:
    return timezone.now() + timedelta(minutes=minutes)
