"""Writes for hearing sessions and their rooms; each writes its event on the case's chain
in the same transaction.

Room controls take the acting participant (``by``) and refuse with a :class:`ServiceError`
whose ``code`` is one of the protocol's error codes (``forbidden``, ``not_found``,
``illegal_state``); a refusal writes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.accounts.selectors import uses_staff_signin
from accord.accounts.services import signin_code_verify
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.personal import case_subject, seal, user_subject
from accord.audit.services import trace_append
from accord.cases.hooks import CaseEvent, CaseTransition
from accord.cases.models import Case, CaseState
from accord.cases.selectors import case_parties
from accord.cases.states import Party
from accord.core.api import ServiceError
from accord.core.links import LinkUnavailable, token_hash
from accord.rooms import room_closing
from accord.rooms.access import case_access_refusal
from accord.rooms.models import (
    HearingSession,
    JoinLink,
    ParticipantRole,
    RecordingState,
    SessionParticipant,
    SessionStatus,
)
from accord.rooms.policy import recording_policy
from accord.rooms.tasks import notify_session_scheduled

# Hearings are held while a case is being mediated, or to prepare it once assigned.
SCHEDULABLE_STATES = frozenset({CaseState.ASSIGNED, CaseState.MEDIATING})


def participant_display_name(*, case: Case, user: User, role: ParticipantRole) -> str:
    """The name the room shows: the person's name, or the case's name for its applicant,
    or else the role; never a username or phone number."""
    if user.display_name.strip():
        return user.display_name.strip()
    if case.applicant_id is not None and case.applicant_id == user.pk and case.applicant_name:
        return case.applicant_name
    return str(ParticipantRole(role).label)


def _may_schedule(user: User, case: Case) -> bool:
    return bool(case_parties(case=case, user=user) & {Party.MEDIATOR, Party.ORG_ADMIN})


def session_schedule(
    *,
    case: Case,
    scheduled_at: datetime,
    duration_minutes: int,
    title: str,
    participants: Sequence[tuple[User, ParticipantRole]],
    by: User,
    join_opens_minutes: int = 15,
    notify: bool = True,
) -> HearingSession:
    """Schedule a hearing of ``case`` with the given participants (one mediator at least).

    ``notify`` sends every participant with a phone the scheduling notice after the commit;
    the scheduling page (:mod:`accord.rooms.scheduling`) sends its own messages instead.
    """
    if not _may_schedule(by, case):
        raise ServiceError(
            _("Only the case's mediator or an organization administrator can schedule hearings."),
            code="forbidden",
        )
    if case.state not in SCHEDULABLE_STATES:
        raise ServiceError(
            _("A hearing can be scheduled only once a mediator is assigned."),
            code="illegal_state",
        )
    if duration_minutes <= 0 or duration_minutes > 24 * 60:
        raise ServiceError(
            _("The duration must be between 1 minute and 24 hours."),
            code="invalid",
            fields={"duration_minutes": [_("Between 1 and 1440 minutes.")]},
        )
    if join_opens_minutes < 0 or join_opens_minutes > 24 * 60:
        raise ServiceError(
            _("Joining may open at most 24 hours before the hearing."),
            code="invalid",
            fields={"join_opens_minutes": [_("Between 0 and 1440 minutes.")]},
        )
    if not any(role == ParticipantRole.MEDIATOR for _user, role in participants):
        raise ServiceError(
            _("A hearing needs a mediator."),
            code="invalid",
            fields={"participants": [_("Add the mediator.")]},
        )
    users = [user.pk for user, _role in participants]
    if len(set(users)) != len(users):
        raise ServiceError(
            _("Each person can take part only once."),
            code="invalid",
            fields={"participants": [_("A person is listed twice.")]},
        )
    with transaction.atomic():
        session = HearingSession.objects.create(
            case=case,
            title=title,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            join_opens_minutes=join_opens_minutes,
            created_by=by,
        )
        SessionParticipant.objects.bulk_create(
            SessionParticipant(
                session=session,
                user=user,
                role=role,
                display_name=participant_display_name(case=case, user=user, role=role),
            )
            for user, role in participants
        )
        trace_append(
            chain=case.chain,
            action="session.scheduled",
            actor=Actor.for_user(by),
            payload={
                "session_id": str(session.pk),
                "title": title,
                "scheduled_at": format_time(scheduled_at),
                "duration_minutes": duration_minutes,
                "join_opens_minutes": join_opens_minutes,
                "participants": [
                    {"user_id": user.pk, "role": str(role)} for user, role in participants
                ],
            },
        )
        if notify:
            transaction.on_commit(lambda: notify_session_scheduled.delay(str(session.pk)))
    return session


# --- Join links -------------------------------------------------------------


class JoinLinkUnavailable(LinkUnavailable):
    """A join link that is unknown or for another session (404), or used or expired (410)."""


def _actor(participant: SessionParticipant) -> Actor:
    return Actor.for_user(participant.user, role=participant.role)


def join_link_create(*, participant: SessionParticipant, ttl: timedelta, actor: Actor) -> str:
    """A one-time link for ``participant`` (an external party with a phone); returns its path.

    The token is shown once and stored only as a hash.
    """
    if participant.user.phone is None or uses_staff_signin(participant.user):
        raise ServiceError(
            _("Only a participant who signs in with a mobile number can get a join link."),
            code="invalid",
        )
    if ttl <= timedelta(0):
        raise ServiceError(_("The link must be valid for some time."), code="invalid")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        link = JoinLink.objects.create(
            participant=participant,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + ttl,
        )
        trace_append(
            chain=participant.session.case.chain,
            action="session.join_link_created",
            actor=actor,
            payload={
                "session_id": str(participant.session_id),
                "participant_id": participant.pk,
                "link_id": link.pk,
                "expires_at": format_time(link.expires_at),
            },
        )
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("rooms:join", kwargs={"session_id": participant.session_id, "token": token})


def join_link_confirm(*, link: JoinLink, code: str, client_ip: str) -> SessionParticipant:
    """Spend ``link`` once the code sent to its participant's phone is right.

    The code is checked by the sign-in service (its attempts, lockouts and trace); the link
    is spent only after, so a wrong code leaves it usable.
    """
    participant = link.participant
    phone = participant.user.phone or ""
    user = signin_code_verify(phone=phone, code=code, client_ip=client_ip)
    if user.pk != participant.user_id:  # the number changed hands since the link was made
        raise JoinLinkUnavailable(
            _("This link is not for you."), code="link_unknown", http_status=404
        )
    with transaction.atomic():
        locked = JoinLink.objects.select_for_update().get(pk=link.pk)
        if locked.used_at is not None:
            raise JoinLinkUnavailable(
                _("This link has already been used. Each link works only once."),
                code="link_used",
                http_status=410,
            )
        if locked.revoked_at is not None:
            raise JoinLinkUnavailable(
                _("This join link was withdrawn by the mediator. Ask the mediator for a new one."),
                code="link_revoked",
                http_status=410,
            )
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        trace_append(
            chain=participant.session.case.chain,
            action="session.join_link_used",
            actor=_actor(participant),
            payload={
                "session_id": str(participant.session_id),
                "participant_id": participant.pk,
                "link_id": link.pk,
                "client_ip": seal(
                    subject=user_subject(participant.user_id), field="client_ip", value=client_ip
                ),
            },
        )
    return participant


def notice_acknowledge(*, participant: SessionParticipant) -> None:
    """The participant read the session rules and the recording notice (once is enough)."""
    with transaction.atomic():
        locked = SessionParticipant.objects.select_for_update().get(pk=participant.pk)
        if locked.notice_acknowledged_at is not None:
            participant.notice_acknowledged_at = locked.notice_acknowledged_at
            return
        locked.notice_acknowledged_at = timezone.now()
        locked.save(update_fields=["notice_acknowledged_at"])
        participant.notice_acknowledged_at = locked.notice_acknowledged_at
        trace_append(
            chain=participant.session.case.chain,
            action="session.notice_acknowledged",
            actor=_actor(participant),
            payload={"session_id": str(participant.session_id), "participant_id": participant.pk},
        )


# --- The room ---------------------------------------------------------------

# From state → to state for each recording action of the mediator.
RECORDING_MOVES: dict[str, tuple[frozenset[str], RecordingState, str]] = {
    "start": (frozenset({RecordingState.OFF}), RecordingState.ON, "room.recording_started"),
    "pause": (frozenset({RecordingState.ON}), RecordingState.PAUSED, "room.recording_paused"),
    "resume": (frozenset({RecordingState.PAUSED}), RecordingState.ON, "room.recording_resumed"),
    "stop": (
        frozenset({RecordingState.ON, RecordingState.PAUSED}),
        RecordingState.OFF,
        "room.recording_stopped",
    ),
}
# Admitting one of these starts the recording under the automatic policy.
PARTY_ROLES = frozenset({ParticipantRole.APPLICANT, ParticipantRole.RESPONDENT})
MAX_PAUSE_REASON_CHARS = 500
# The trace's actor when the organization's policy, not a person, starts the recording.
POLICY_ACTOR = "recording-policy"


def _room_trace(
    session: HearingSession, by: SessionParticipant, action: str, payload: dict[str, Any]
) -> None:
    trace_append(
        chain=session.case.chain,
        action=action,
        actor=_actor(by),
        payload={"session_id": str(session.pk), **payload},
    )


def _lock_for_control(by: SessionParticipant) -> tuple[HearingSession, SessionParticipant]:
    """Lock the session and re-read the acting mediator; call inside ``transaction.atomic()``."""
    session = (
        HearingSession.objects.select_for_update().select_related("case").get(pk=by.session_id)
    )
    actor = SessionParticipant.objects.select_related("user").get(pk=by.pk)
    if actor.role != ParticipantRole.MEDIATOR or actor.removed_at is not None:
        raise ServiceError(_("Only the mediator can do this."), code="forbidden")
    if session.status in (SessionStatus.ENDED, SessionStatus.CANCELLED):
        raise ServiceError(_("This hearing has ended."), code="illegal_state")
    _check_case_access(session, actor)
    return session, actor


def _check_case_access(session: HearingSession, participant: SessionParticipant) -> None:
    """The participant's case access, re-read now (``access.case_access_refusal``)."""
    refusal = case_access_refusal(user=participant.user, case=session.case, role=participant.role)
    if refusal is not None:
        raise ServiceError(refusal.message, code=refusal.code)


def _target(session: HearingSession, participant_id: int) -> SessionParticipant:
    target = (
        SessionParticipant.objects.select_for_update()
        .filter(session=session, pk=participant_id)
        .first()
    )
    if target is None:
        raise ServiceError(_("No such participant in this hearing."), code="not_found")
    if target.removed_at is not None:
        raise ServiceError(_("This participant was removed."), code="illegal_state")
    return target


def rejoin_grace() -> timedelta:
    """How long after its last connection closed a participant's stay continues: a reconnect
    within it writes no event (``ACCORD_ROOM_REJOIN_GRACE_SECONDS``)."""
    return timedelta(seconds=int(getattr(settings, "ACCORD_ROOM_REJOIN_GRACE_SECONDS", 60)))


def _stay_end(session: HearingSession, participant: SessionParticipant) -> None:
    """Write the ``room.left`` of ``participant``'s stay (locked by the caller) and forget it.
    Its payload says when the last connection closed and how many reconnects the stay had."""
    left_at = participant.left_at or timezone.now()
    _room_trace(
        session,
        participant,
        "room.left",
        {
            "participant_id": participant.pk,
            "left_at": format_time(left_at),
            "reconnects": participant.reconnects,
        },
    )
    participant.joined_at = None
    participant.left_at = None
    participant.reconnects = 0
    participant.save(update_fields=["joined_at", "left_at", "reconnects"])


def room_join(*, participant: SessionParticipant) -> SessionParticipant:
    """A connection of ``participant`` entered the room (or its waiting room).

    The mediator is admitted by joining, and the first mediator to join opens the session.
    One ``room.joined`` per stay: a connection while the participant is still in the room (a
    second tab) or within the rejoin grace after their last one closed only counts a
    reconnect on the participant's row; the stay's ``room.left`` summarizes them.
    """
    with transaction.atomic():
        session = (
            HearingSession.objects.select_for_update()
            .select_related("case")
            .get(pk=participant.session_id)
        )
        locked = (
            SessionParticipant.objects.select_for_update()
            .select_related("user")
            .get(pk=participant.pk)
        )
        opened = False
        if locked.role == ParticipantRole.MEDIATOR:
            if locked.admitted_at is None:
                locked.admitted_at = timezone.now()
                locked.save(update_fields=["admitted_at"])
            if session.status == SessionStatus.SCHEDULED:
                session.status = SessionStatus.OPEN
                session.save(update_fields=["status"])
                opened = True
        now = timezone.now()
        if locked.joined_at is not None:
            within = locked.left_at is None or now - locked.left_at <= rejoin_grace()
            if within and not opened:
                locked.reconnects += 1
                locked.left_at = None
                locked.save(update_fields=["reconnects", "left_at"])
                return locked
            _stay_end(session, locked)  # the earlier stay ended when its grace ran out
        _room_trace(
            session,
            locked,
            "room.joined",
            {
                "participant_id": locked.pk,
                "admitted": locked.admitted_at is not None,
                "session_opened": opened,
            },
        )
        locked.joined_at = now
        locked.left_at = None
        locked.reconnects = 0
        locked.save(update_fields=["joined_at", "left_at", "reconnects"])
    return locked


def room_leave(*, participant: SessionParticipant) -> None:
    """The participant's last connection closed: their stay ends unless they reconnect
    within the rejoin grace (``room_leaves_settle`` writes the ``room.left`` then); with no
    grace it ends now."""
    with transaction.atomic():
        session = HearingSession.objects.select_related("case").get(pk=participant.session_id)
        locked = (
            SessionParticipant.objects.select_for_update()
            .select_related("user")
            .get(pk=participant.pk)
        )
        if locked.joined_at is None:
            return  # no stay open (already settled)
        locked.left_at = timezone.now()
        locked.save(update_fields=["left_at"])
        if rejoin_grace() <= timedelta(0):
            _stay_end(session, locked)


def room_leaves_settle(*, session_id: Any = None) -> int:
    """Write the ``room.left`` of every stay whose grace ran out (of one session: all of its
    closed stays, grace or not); returns how many. Run by ``rooms.tasks.settle_room_leaves``
    (Celery beat), by the next join of the participant, and when the hearing ends."""
    done = 0
    pending = SessionParticipant.objects.filter(joined_at__isnull=False, left_at__isnull=False)
    if session_id is not None:
        pending = pending.filter(session_id=session_id)
    else:
        pending = pending.filter(left_at__lt=timezone.now() - rejoin_grace())
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                SessionParticipant.objects.select_for_update()
                .select_related("user")
                .filter(pk=pk, joined_at__isnull=False, left_at__isnull=False)
                .first()
            )
            if locked is None:
                continue  # reconnected meanwhile
            session = HearingSession.objects.select_related("case").get(pk=locked.session_id)
            _stay_end(session, locked)
            done += 1
    return done


def room_access_check(*, participant: SessionParticipant) -> None:
    """Refuse (``access_revoked`` / ``illegal_state``) when ``participant`` may no longer take
    part: the case is no longer theirs, or no longer in a state with hearings. Reads only."""
    session = HearingSession.objects.select_related("case").get(pk=participant.session_id)
    fresh = SessionParticipant.objects.select_related("user").get(pk=participant.pk)
    _check_case_access(session, fresh)


def room_chat(*, by: SessionParticipant, text: str) -> datetime:
    """A chat message, kept in the trace like everything said in a hearing; returns its time."""
    with transaction.atomic():
        session = HearingSession.objects.select_related("case").get(pk=by.session_id)
        sender = SessionParticipant.objects.select_related("user").get(pk=by.pk)
        if sender.admitted_at is None or sender.removed_at is not None:
            raise ServiceError(_("You are not in the room."), code="forbidden")
        if session.status != SessionStatus.OPEN:
            raise ServiceError(_("This hearing is not in progress."), code="illegal_state")
        _check_case_access(session, sender)
        _room_trace(
            session,
            sender,
            "room.chat",
            {
                "participant_id": sender.pk,
                "group": sender.group,
                # What is said may name anyone: kept erasably under the case's key.
                "text": seal(subject=case_subject(session.case.case_no), field="chat", value=text),
            },
        )
    return timezone.now()


class Admission(NamedTuple):
    participant: SessionParticipant
    # The recording's new state when this admission started it (automatic policy), else None.
    recording: RecordingState | None


def room_admit(*, by: SessionParticipant, participant_id: int) -> Admission:
    """Let a waiting participant in. Under the automatic recording policy the first party
    admitted starts the recording (``room.recording_started`` by the policy, in the same
    transaction as ``room.admitted``)."""
    with transaction.atomic():
        session, actor = _lock_for_control(by)
        target = _target(session, participant_id)
        if target.admitted_at is not None:
            raise ServiceError(_("This participant is already in the room."), code="illegal_state")
        target.admitted_at = timezone.now()
        target.save(update_fields=["admitted_at"])
        _room_trace(session, actor, "room.admitted", {"participant_id": target.pk})
        started: RecordingState | None = None
        if (
            target.role in PARTY_ROLES
            and session.recording_state == RecordingState.OFF
            and session.recording_started_at is None  # once: a stopped recording stays stopped
            and recording_policy(session.case).auto_start
        ):
            started = _recording_move(
                session,
                "start",
                Actor.system(POLICY_ACTOR),
                {"trigger": "policy", "admitted_participant_id": target.pk},
            )
    return Admission(target, started)


def room_mute(*, by: SessionParticipant, participant_id: int, muted: bool) -> SessionParticipant:
    """Mute or unmute a participant: the SFU stops (or resumes) forwarding their audio."""
    with transaction.atomic():
        session, actor = _lock_for_control(by)
        target = _target(session, participant_id)
        if target.muted == muted:
            raise ServiceError(_("Nothing to change."), code="illegal_state")
        target.muted = muted
        target.save(update_fields=["muted"])
        _room_trace(session, actor, "room.muted", {"participant_id": target.pk, "muted": muted})
    return target


def room_remove(*, by: SessionParticipant, participant_id: int) -> SessionParticipant:
    with transaction.atomic():
        session, actor = _lock_for_control(by)
        target = _target(session, participant_id)
        if target.role == ParticipantRole.MEDIATOR:
            raise ServiceError(_("A mediator cannot be removed."), code="forbidden")
        target.removed_at = timezone.now()
        target.save(update_fields=["removed_at"])
        _room_trace(session, actor, "room.removed", {"participant_id": target.pk})
    return target


def room_move(
    *, by: SessionParticipant, participant_ids: Sequence[int], group: str
) -> list[SessionParticipant]:
    """Move participants between the plenary room and caucus rooms (背对背调解)."""
    with transaction.atomic():
        session, actor = _lock_for_control(by)
        targets = [_target(session, pid) for pid in participant_ids]
        for target in targets:
            target.group = group
            target.save(update_fields=["group"])
        _room_trace(
            session,
            actor,
            "room.moved",
            {"participant_ids": [t.pk for t in targets], "group": group},
        )
    return targets


def _recording_move(
    session: HearingSession, action: str, actor: Actor, payload: dict[str, Any]
) -> RecordingState:
    """Apply one recording move to the locked ``session`` and trace it."""
    allowed_from, to, event = RECORDING_MOVES[action]
    if session.recording_state not in allowed_from:
        raise ServiceError(_("The recording cannot do that now."), code="illegal_state")
    previous = session.recording_state
    session.recording_state = to
    session.recording_pause_reason = payload.get("reason", "") if action == "pause" else ""
    fields = ["recording_state", "recording_pause_reason"]
    if action == "start" and session.recording_started_at is None:
        session.recording_started_at = timezone.now()
        fields.append("recording_started_at")
    session.save(update_fields=fields)
    trace_append(
        chain=session.case.chain,
        action=event,
        actor=actor,
        payload={"session_id": str(session.pk), "from": str(previous), "to": str(to), **payload},
    )
    return to


def room_recording(*, by: SessionParticipant, action: str, reason: str = "") -> RecordingState:
    """Start, pause, resume or stop recording (the state; the recorder follows it).

    A pause needs a reason (``reason_required``), shown in the room and kept in the trace.
    Under the automatic policy the recording runs until the hearing ends: ``stop`` is refused
    (pause it instead).
    """
    reason = reason.strip()
    if action == "pause" and not reason:
        raise ServiceError(
            _("Say why the recording is paused; everyone in the room will see it."),
            code="reason_required",
        )
    if len(reason) > MAX_PAUSE_REASON_CHARS:
        raise ServiceError(
            _("The reason can have at most %(max)d characters.") % {"max": MAX_PAUSE_REASON_CHARS},
            code="malformed",
        )
    with transaction.atomic():
        session, actor = _lock_for_control(by)
        if action == "stop" and recording_policy(session.case).auto_start:
            raise ServiceError(
                _(
                    "This organization records the whole hearing: the recording ends with the "
                    "hearing. Pause it instead, giving a reason."
                ),
                code="forbidden",
            )
        return _recording_move(
            session, action, _actor(actor), {"reason": reason} if action == "pause" else {}
        )


def room_end(*, by: SessionParticipant) -> None:
    """End the hearing: everyone leaves and nobody can join again."""
    with transaction.atomic():
        session, actor = _lock_for_control(by)
        previous = session.recording_state
        session.status = SessionStatus.ENDED
        session.ended_at = timezone.now()
        session.recording_state = RecordingState.OFF
        session.recording_pause_reason = ""
        session.save(
            update_fields=["status", "ended_at", "recording_state", "recording_pause_reason"]
        )
        _stays_close(session)
        _room_trace(session, actor, "room.ended", {"recording_was": str(previous)})


def _stays_close(session: HearingSession) -> None:
    """The hearing ends: closed stays get their ``room.left``; a stay still open with
    reconnects gets one ``room.reconnects`` summary (``room.ended`` ends it)."""
    stays = (
        SessionParticipant.objects.select_for_update()
        .select_related("user")
        .filter(session=session, joined_at__isnull=False)
        .order_by("pk")
    )
    for stay in stays:
        if stay.left_at is not None:
            _stay_end(session, stay)
            continue
        if stay.reconnects:
            _room_trace(
                session,
                stay,
                "room.reconnects",
                {"participant_id": stay.pk, "reconnects": stay.reconnects},
            )
        stay.joined_at = None
        stay.reconnects = 0
        stay.save(update_fields=["joined_at", "reconnects"])


# --- Following the case ----------------------------------------------------------------

# Case states that end its hearings: what is scheduled is cancelled, what is live is ended.
HEARINGS_END_STATES = frozenset({CaseState.WITHDRAWN, CaseState.CLOSED, CaseState.DECLINED})


class SessionsEnded(NamedTuple):
    cancelled: list[HearingSession]
    ended: list[HearingSession]


def sessions_follow_case(transition: CaseTransition) -> SessionsEnded:
    """A ``cases.hooks`` callback, inside the case transition's transaction: withdrawing or
    closing a case cancels its scheduled sessions (``session.cancelled``) and ends a live one
    for everyone (``room.ended``), each traced with the case's actor and the cause. The live
    rooms are told after commit (``room_closing.close_rooms``)."""
    if transition.state not in HEARINGS_END_STATES:
        return SessionsEnded([], [])
    case = transition.case
    cause = f"case_{transition.state.value}"
    sessions = list(
        HearingSession.objects.select_for_update()
        .filter(case=case, status__in=(SessionStatus.SCHEDULED, SessionStatus.OPEN))
        .order_by("scheduled_at", "pk")
    )
    now = timezone.now()
    cancelled, ended = [], []
    for session in sessions:
        session.case = case
        if session.status == SessionStatus.SCHEDULED:
            session.status = SessionStatus.CANCELLED
            session.save(update_fields=["status"])
            trace_append(
                chain=case.chain,
                action="session.cancelled",
                actor=transition.actor,
                payload={"session_id": str(session.pk), "cause": cause},
            )
            cancelled.append(session)
            continue
        _stays_close(session)
        previous = session.recording_state
        session.status = SessionStatus.ENDED
        session.ended_at = now
        session.recording_state = RecordingState.OFF
        session.recording_pause_reason = ""
        session.save(
            update_fields=["status", "ended_at", "recording_state", "recording_pause_reason"]
        )
        trace_append(
            chain=case.chain,
            action="room.ended",
            actor=transition.actor,
            payload={"session_id": str(session.pk), "recording_was": str(previous), "cause": cause},
        )
        ended.append(session)
    if ended:
        rooms = [str(session.pk) for session in ended]
        transaction.on_commit(lambda: room_closing.close_rooms(rooms))
    return SessionsEnded(cancelled, ended)


# Case events after which the case's former mediator no longer takes part in its hearings.
MEDIATOR_LEFT = {"case.mediator_removed": "mediator", "case.mediator_replaced": "previous"}


def participants_follow_mediator(event: CaseEvent) -> list[SessionParticipant]:
    """A ``cases.hooks.on_case_event`` callback, inside the transaction that removed or
    replaced the case's mediator: the former mediator's participants in the case's scheduled
    or open hearings who lost access (``access.case_access_refusal``; an administrator of the
    organization keeps it) are put out of the live room after commit
    (``room_closing.put_out``): their connections close and the media worker stops
    forwarding to them. Their next entry is refused like any other."""
    key = MEDIATOR_LEFT.get(event.action)
    ref = event.payload.get(key) if key else None
    former = ref.get("user_id") if isinstance(ref, dict) else None
    if not isinstance(former, int):
        return []
    candidates = SessionParticipant.objects.select_related("user", "session").filter(
        session__case=event.case,
        session__status__in=(SessionStatus.SCHEDULED, SessionStatus.OPEN),
        user_id=former,
        removed_at__isnull=True,
    )
    lost = [
        participant
        for participant in candidates
        if case_access_refusal(user=participant.user, case=event.case, role=participant.role)
        is not None
    ]
    if lost:
        targets = [(str(p.session_id), p.pk) for p in lost]
        transaction.on_commit(lambda: room_closing.put_out(targets))
    return lost
