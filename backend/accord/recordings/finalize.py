"""Finalize (placeholder)."""

from __future__ import annotations

from accord.recordings.models import RecordingManifest
from accord.rooms.models import HearingSession


def finalize(*, session: HearingSession, force: bool = False) -> RecordingManifest | None:
    raise NotImplementedError
