"""What hearings hold about a person, for the erasure service (``accord.audit.erasure``):
the name each participant row showed in the room. Recordings follow their own retention
(``accord.recordings``); room events name participants by id only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from accord.audit.actors import Actor
from accord.audit.erasure import PersonalDataHolder
from accord.rooms.models import ParticipantRole, SessionParticipant


def _kept_until(user_id: int) -> datetime | None:
    return None  # hearings belong to cases, whose retention decides


def _erase(user_id: int, actor: Actor) -> Sequence[str]:
    for participant in SessionParticipant.objects.filter(user_id=user_id):
        label = str(ParticipantRole(participant.role).label)
        SessionParticipant.objects.filter(pk=participant.pk).update(display_name=label)
    return []


ROOMS_PERSONAL_DATA = PersonalDataHolder(name="rooms", kept_until=_kept_until, erase=_erase)
