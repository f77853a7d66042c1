from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accord.accounts.models import User
from accord.rooms.models import HearingSession, SessionParticipant


def session_for_participant(
    *, user: User | AnonymousUser, session_id: uuid.UUID
) -> tuple[HearingSession, SessionParticipant]:
    """The session and the user's place in it; 404 for anyone not on the list."""
    if not user.is_authenticated:
        raise Http404
    participant = (
        SessionParticipant.objects.select_related("session", "session__case")
        .filter(session_id=session_id, user=user)
        .first()
    )
    if participant is None:
        raise Http404
    return participant.session, participant
