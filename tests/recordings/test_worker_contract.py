"""The media worker's own client (media_worker.registrar) against the real endpoints: the two
sides of docs/recording.md agree on paths, token, bodies and answers."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest

from accord.recordings.models import RecordingSegment
from media_contract.registration import SEGMENTS, InterruptionBody
from media_worker.registrar import Outcome, Registrar
from tests.recordings.conftest import OTHER_TOKEN, participant

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_workers_registrar_and_the_web_agree(
    live_server, hearing, mia, media_token, uploaded, monkeypatch, settings
):
    # The live server plays the internal listener (the port its socket accepted on).
    settings.ACCORD_INTERNAL_PORT = urlsplit(live_server.url).port
    queued: list[str] = []
    monkeypatch.setattr(
        "accord.recordings.tasks.finalize_session.delay", lambda sid: queued.append(sid)
    )
    registrar = Registrar(live_server.url, media_token)
    meta = uploaded(participant(hearing, mia), "microphone")

    first = asyncio.run(registrar.register_segment(meta))
    assert (first.outcome, first.status) == (Outcome.OK, 201)
    again = asyncio.run(registrar.register_segment(meta))
    assert (again.outcome, again.status) == (Outcome.OK, 200)
    conflict = asyncio.run(registrar.post(SEGMENTS, {**meta, "sha256": "f" * 64}))
    assert (conflict.outcome, conflict.status, conflict.code) == (
        Outcome.REFUSED,
        409,
        "segment_conflict",
    )
    missing = asyncio.run(registrar.post(SEGMENTS, {**meta, "key": meta["key"] + ".x.webm"}))
    assert missing.object_missing
    assert RecordingSegment.objects.count() == 1

    interruption: InterruptionBody = {
        "session": meta["session"],
        "participant": meta["participant"],
        "track": "microphone",
        "worker": "mw-1",
        "from": meta["started_at"],
        "to": meta["ended_at"],
        "reason": "worker_restart",
        "discarded_bytes": 10,
    }
    answer = asyncio.run(registrar.report_interruption(interruption))
    assert (answer.outcome, answer.status) == (Outcome.OK, 201)
    flushed = asyncio.run(registrar.report_flushed(meta["session"], "mw-1"))
    assert (flushed.outcome, flushed.status) == (Outcome.OK, 202)
    assert queued == [str(hearing.pk)]

    wrong = Registrar(live_server.url, "not-the-token")
    refused = asyncio.run(wrong.register_segment(meta))
    assert refused.status == 401 and refused.outcome is not Outcome.OK
    # Another configured worker, for a room that was never placed on it: refused for good (the
    # worker quarantines the segment instead of retrying it forever).
    other = Registrar(live_server.url, OTHER_TOKEN)
    foreign_meta = uploaded(participant(hearing, mia), worker="mw-2")
    foreign = asyncio.run(other.register_segment(foreign_meta))
    assert (foreign.outcome, foreign.status, foreign.code) == (
        Outcome.REFUSED,
        403,
        "worker_not_assigned",
    )
    assert RecordingSegment.objects.count() == 1
