"""Reads about sessions and rooms, already filtered by who asks."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.core.links import DEMO_LINK_KEY, token_hash
from accord.orgs.models import MediationRules
from accord.rooms import live
from accord.rooms.access import Refusal, case_access_refusal
from accord.rooms.models import (
    HearingSession,
    JoinLink,
    RecordingState,
    SessionParticipant,
    SessionStatus,
)
from accord.rooms.services import JoinLinkUnavailable

# Participant ids whose join link (with its phone code) was confirmed in this browser session.
CONFIRMED_KEY = "accord.rooms.confirmed"


def session_for_participant(
    *, user: User | AnonymousUser, session_id: uuid.UUID
) -> tuple[HearingSession, SessionParticipant]:
    """The session and the user's place in it; 404 for anyone not on the list."""
    if not user.is_authenticated:
        raise Http404
    participant = (
        SessionParticipant.objects.select_related("session", "session__case", "user")
        .filter(session_id=session_id, user=user)
        .first()
    )
    if participant is None:
        raise Http404
    return participant.session, participant


def session_titles_of_case(case_id: int) -> dict[str, str]:
    """{session id: title} of a case's hearings, for the case timeline."""
    sessions = HearingSession.objects.filter(case_id=case_id).values_list("pk", "title")
    return {str(pk): title for pk, title in sessions}


def participant_confirmed(
    *, session_data: Mapping[str, Any], participant: SessionParticipant
) -> bool:
    """Whether this browser session proved who it is well enough to enter the room.

    A phone code or staff password + second factor proves it; a one-time sign-in link alone
    does not (its key is set by accounts' link view), except a demo link in demo mode. A join
    link proves it once its phone code was right.
    """
    if participant.pk in session_data.get(CONFIRMED_KEY, []):
        return True
    if DEMO_LINK_KEY not in session_data:
        return True
    return bool(session_data[DEMO_LINK_KEY]) and bool(settings.ACCORD_DEMO)


def entry_refusal(
    *, participant: SessionParticipant, session_data: Mapping[str, Any]
) -> Refusal | None:
    """None when ``participant`` may enter the room (or its waiting room) now: on the list,
    the session open for joining, and the case still theirs (``access.case_access_refusal``).
    ``participant`` must come with its ``session__case`` and ``user`` freshly read."""
    session = participant.session
    if participant.removed_at is not None:
        return Refusal(4410, 410, _("The mediator removed you from this hearing."))
    if session.status == SessionStatus.ENDED:
        return Refusal(4410, 410, _("This hearing has ended."))
    if session.status == SessionStatus.CANCELLED:
        return Refusal(4409, 410, _("This hearing was cancelled."))
    case_refusal = case_access_refusal(
        user=participant.user, case=session.case, role=participant.role
    )
    if case_refusal is not None:
        return case_refusal
    if not participant_confirmed(session_data=session_data, participant=participant):
        return Refusal(
            4403, 403, _("Confirm your mobile number with the code from your join link first.")
        )
    if session.status == SessionStatus.SCHEDULED and timezone.now() < session.join_opens_at:
        return Refusal(4409, 409, _("This hearing is not open yet."))
    return None


def join_link_for(*, session_id: uuid.UUID, token: str) -> JoinLink:
    """A usable join link of this session, or :class:`JoinLinkUnavailable`."""
    link = (
        JoinLink.objects.select_related(
            "participant", "participant__user", "participant__session__case"
        )
        .filter(token_hash=token_hash(token), participant__session_id=session_id)
        .first()
    )
    if link is None:
        raise JoinLinkUnavailable(
            _("This join link is not valid. Check that you copied all of it."),
            code="link_unknown",
            http_status=404,
        )
    if link.used_at is not None:
        raise JoinLinkUnavailable(
            _("This link has already been used. Each link works only once."),
            code="link_used",
            http_status=410,
        )
    if link.revoked_at is not None:
        raise JoinLinkUnavailable(
            _("This join link was withdrawn by the mediator. Ask the mediator for a new one."),
            code="link_revoked",
            http_status=410,
        )
    if link.expires_at <= timezone.now() or not link.participant.user.is_active:
        raise JoinLinkUnavailable(
            _("This join link has expired. Ask the mediator for a new one."),
            code="link_expired",
            http_status=410,
        )
    return link


def participant_json(participant: SessionParticipant) -> dict[str, Any]:
    return {
        "id": str(participant.pk),
        "name": participant.display_name,
        "role": participant.role,
    }


def room_presence(*, session_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The ``presence`` list of docs/rooms-protocol.md: everyone on the list, with their state."""
    room = uuid.UUID(str(session_id))
    online = live.online_participants(str(room))
    flags = live.live_flags(str(room))
    people = []
    participants = SessionParticipant.objects.filter(session_id=room, removed_at=None)
    for participant in participants.order_by("id"):
        if participant.pk not in online:
            state = "left"
        elif participant.admitted_at is None:
            state = "waiting"
        else:
            state = "in_room"
        mine = flags.get(participant.pk, {}) if participant.pk in online else {}
        people.append(
            {
                **participant_json(participant),
                "state": state,
                "group": participant.group,
                "muted": participant.muted,
                "hand": bool(mine.get("hand", False)),
                "speaking": bool(mine.get("speaking", False)),
                "quality": mine.get("quality"),
            }
        )
    return people


def room_audience(*, participant: SessionParticipant) -> list[str]:
    """Names of who can hear ``participant`` now: admitted, connected, in the same group."""
    online = live.online_participants(str(participant.session_id))
    others = SessionParticipant.objects.filter(
        session_id=participant.session_id,
        group=participant.group,
        removed_at=None,
        admitted_at__isnull=False,
        pk__in=online,
    ).exclude(pk=participant.pk)
    return [other.display_name for other in others.order_by("id")]


# --- What the media worker is told to record ------------------------------------------------
# Derived from the room's recording state and the organization's policy only, so it lives here
# (the consumer asks it); accord.recordings, above, stores what the worker then records.


class RecordingFlags(NamedTuple):
    record: bool
    record_caucus: bool


def caucus_recorded(session: HearingSession) -> bool:
    """The case organization's caucus policy (``MediationRules.record_caucus``)."""
    rules = MediationRules.objects.filter(organization_id=session.case.organization_id).first()
    return bool(rules is not None and rules.record_caucus)


def recording_flags(session: HearingSession) -> RecordingFlags:
    """What the media worker is told: record now (state "on"), and record caucus rooms too."""
    return RecordingFlags(
        record=session.recording_state == RecordingState.ON,
        record_caucus=caucus_recorded(session),
    )
