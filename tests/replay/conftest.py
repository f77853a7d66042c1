"""Replay tests: the evidence tests' cast and hearing (mia mediates, alice applies, ben is the
bank, audrey audits FMC), a hearing held with a caucus (real room services, so real trace
events), and final files put into the run's real recordings bucket with their rows."""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from minio import Minio

from accord.accounts.models import User
from accord.audit.canonical import format_time
from accord.audit.models import TraceEvent
from accord.recordings.models import Audience, RecordingFile, RecordingManifest, Source
from accord.rooms import services as rooms
from accord.rooms.models import HearingSession, SessionParticipant
from tests.cases.conftest import regulator  # noqa: F401  (fixture)
from tests.packages.conftest import (  # noqa: F401  (fixtures)
    ada,
    alice,
    application,
    audrey,
    bank,
    ben,
    bob,
    case,
    charlie,
    cleo,
    court,
    documented,
    drive,
    evidence_bucket,
    hearing,
    mediating,
    member,
    mia,
    org,
    other_bank,
    other_org,
)


def soon(days: int = 7) -> datetime:
    """An expiry for grants that include caucus recordings (they must expire)."""
    return timezone.now() + timedelta(days=days)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def participant(hearing: HearingSession, user: User) -> SessionParticipant:  # noqa: F811
    return SessionParticipant.objects.select_related("session__case", "user").get(
        session=hearing, user=user
    )


@dataclass
class Held:
    """A hearing that took place: everyone joined, alice spent a while in a caucus."""

    session: HearingSession
    mediator: SessionParticipant
    applicant: SessionParticipant
    respondent: SessionParticipant
    caucus_from: datetime
    caucus_to: datetime
    started: datetime
    ended: datetime

    def event(self, action: str) -> TraceEvent:
        return TraceEvent.objects.filter(
            chain=self.session.case.chain, action=action, payload__session_id=str(self.session.pk)
        ).latest("seq")


class SteppedClock:
    """``timezone.now`` for the held hearing: two seconds pass between its events, so that
    the caucus lasts longer than the edge the caucus check forgives."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=2)
        return self.moment


@pytest.fixture
def held(
    hearing: HearingSession,  # noqa: F811
    mia: User,  # noqa: F811
    alice: User,  # noqa: F811
    ben: User,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Held:
    mediator = participant(hearing, mia)
    applicant = participant(hearing, alice)
    respondent = participant(hearing, ben)
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", SteppedClock(timezone.now()))
        rooms.room_join(participant=mediator)
        for party in (applicant, respondent):
            rooms.room_join(participant=party)
            # The first party admitted starts the recording (the default policy).
            rooms.room_admit(by=mediator, participant_id=party.pk)
        rooms.room_chat(by=applicant, text="你好")
        rooms.room_move(by=mediator, participant_ids=[applicant.pk], group="caucus-applicant")
        rooms.room_chat(by=applicant, text="私下说")
        rooms.room_move(by=mediator, participant_ids=[applicant.pk], group="plenary")
        rooms.room_end(by=mediator)
    moves = TraceEvent.objects.filter(
        chain=hearing.case.chain, action="room.moved", payload__session_id=str(hearing.pk)
    ).order_by("seq")
    ended = TraceEvent.objects.get(chain=hearing.case.chain, action="room.ended")
    started = TraceEvent.objects.get(chain=hearing.case.chain, action="room.recording_started")
    held = Held(
        session=hearing,
        mediator=mediator,
        applicant=applicant,
        respondent=respondent,
        caucus_from=moves[0].occurred_at,
        caucus_to=moves[1].occurred_at,
        started=started.occurred_at,
        ended=ended.occurred_at,
    )
    return held


def span(
    start: datetime, end: datetime, file_start_ms: int, group: str | None = None
) -> dict[str, Any]:
    """A final file's span; without ``group`` as an older finalize wrote them."""
    duration = (end - start) // timedelta(milliseconds=1)
    found: dict[str, Any] = {
        "wall_start": format_time(start),
        "wall_end": format_time(end),
        "file_start_ms": file_start_ms,
        "duration_ms": duration,
    }
    if group is not None:
        found["group"] = group
    return found


@pytest.fixture
def put_file(s3: Minio) -> Callable[..., tuple[RecordingFile, bytes]]:
    """Store ``size`` random bytes as a participant's final file of version 1 (and the
    version's manifest row), like finalize does; ``audience="plenary"`` for the plenary-only
    file finalize adds for a participant with caucus segments."""

    def put(
        p: SessionParticipant,
        spans: list[dict[str, Any]],
        *,
        size: int = 300_000,
        audience: str = Audience.ALL,
    ) -> tuple[RecordingFile, bytes]:
        data = secrets.token_bytes(size)
        suffix = "-plenary" if audience == Audience.PLENARY else ""
        key = f"{p.session_id}/final/{p.pk}{suffix}.webm"
        s3.put_object(settings.S3_BUCKET_RECORDINGS, key, io.BytesIO(data), length=size)
        RecordingManifest.objects.get_or_create(
            session_id=p.session_id,
            version=1,
            defaults={
                "key": f"{p.session_id}/manifest.json",
                "size": 2,
                "sha256": hashlib.sha256(b"{}").hexdigest(),
            },
        )
        file = RecordingFile.objects.create(
            session_id=p.session_id,
            participant=p,
            source=Source.AV,
            audience=audience,
            version=1,
            key=key,
            size=size,
            sha256=hashlib.sha256(data).hexdigest(),
            duration_ms=sum(s["duration_ms"] for s in spans),
            spans=spans,
            speaking=[[0, 400]],
        )
        return file, data

    return put
