"""Scheduling hearings from the case page: who may be invited, the one-time join links sent
to them by SMS, resending and revoking a link, moving and cancelling a hearing.

Every write is one transaction with its trace event. Trace events name people by their
participant id only: no phone number, and never a link's token (only the link's id).

A join link's token exists only in memory: the SMS carrying it is sent after the transaction
that created the link commits (``transaction.on_commit``), so a rolled-back scheduling sends
nothing. A gateway failure leaves the link unsent (``sent_at`` empty): the mediator sees it
and resends.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.accounts.selectors import uses_staff_signin
from accord.accounts.sms import SmsTemplate, TransportError, send_sms
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.services import trace_append
from accord.cases.models import Case
from accord.cases.selectors import case_parties, case_role_of
from accord.cases.states import Party
from accord.core.api import ServiceError
from accord.orgs.models import Organization, Role
from accord.rooms.models import (
    HearingSession,
    JoinLink,
    ParticipantRole,
    SessionParticipant,
    SessionStatus,
)
from accord.rooms.services import SCHEDULABLE_STATES, join_link_create, session_schedule
from accord.rooms.tasks import notify_session_scheduled

logger = logging.getLogger(__name__)

# A join link stays valid until the hearing's planned end, and at least this long.
MIN_LINK_TTL = timedelta(hours=1)


# --- Who may schedule, and whom ---------------------------------------------


def may_schedule(*, user: User, case: Case) -> bool:
    """The case's mediator or an administrator of its organization, while hearings are held."""
    return (
        bool(case_parties(case=case, user=user) & {Party.MEDIATOR, Party.ORG_ADMIN})
        and case.state in SCHEDULABLE_STATES
    )


def may_manage(*, user: User, session: HearingSession) -> bool:
    return bool(case_parties(case=session.case, user=user) & {Party.MEDIATOR, Party.ORG_ADMIN})


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone who may take part in a hearing of the case, in one of ``roles`` (the first is
    the usual one). The case's mediator always takes part (``fixed``)."""

    user: User
    roles: tuple[ParticipantRole, ...]
    fixed: bool = False

    @property
    def by_link(self) -> bool:
        return gets_join_link(self.user)


def gets_join_link(user: User) -> bool:
    """Whether ``user`` is sent a one-time join link by SMS (they sign in with their phone;
    staff sign in with their password and second factor and are sent a notice)."""
    return bool(user.phone) and not uses_staff_signin(user)


def _members(organization: Organization | None, roles: Sequence[str]) -> QuerySet[User]:
    if organization is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            memberships__organization=organization,
            memberships__role__in=list(roles),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


def schedule_candidates(*, case: Case) -> list[Candidate]:
    """The case's mediator, applicant, the respondent institution's staff, and the experts,
    mediators and administrators of the mediation organization (as observers)."""
    found: list[Candidate] = []
    seen: set[int] = set()

    def add(user: User | None, roles: tuple[ParticipantRole, ...], fixed: bool = False) -> None:
        if user is None or user.pk in seen or not user.is_active:
            return
        seen.add(user.pk)
        found.append(Candidate(user=user, roles=roles, fixed=fixed))

    add(case.mediator, (ParticipantRole.MEDIATOR,), fixed=True)
    add(case.applicant, (ParticipantRole.APPLICANT,))
    for user in _members(case.respondent, [Role.INSTITUTION_STAFF]):
        add(user, (ParticipantRole.RESPONDENT, ParticipantRole.OBSERVER))
    for user in _members(case.organization, [Role.EXPERT]):
        add(user, (ParticipantRole.EXPERT, ParticipantRole.OBSERVER))
    for user in _members(case.organization, [Role.MEDIATOR, Role.ORG_ADMIN]):
        add(user, (ParticipantRole.OBSERVER, ParticipantRole.MEDIATOR))
    return found


# --- Join links by SMS ------------------------------------------------------


def _actor(user: User, case: Case) -> Actor:
    return Actor.for_user(user, role=case_role_of(case=case, user=user))


def _trace(session: HearingSession, by: Actor, action: str, payload: dict[str, object]) -> None:
    trace_append(
        chain=session.case.chain,
        action=action,
        actor=by,
        payload={"session_id": str(session.pk), **payload},
    )


def _live_links(participant: SessionParticipant) -> QuerySet[JoinLink]:
    return JoinLink.objects.filter(
        participant=participant,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def _link_message(session: HearingSession, url: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "[Accord] Case %(case_no)s: online mediation hearing (%(title)s) at %(when)s. "
            "Your one-time link to join (do not share it): %(url)s"
        ) % {
            "case_no": session.case.case_no,
            "title": session.title,
            "when": timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M"),
            "url": url,
        }


def _link_template(session: HearingSession, url: str) -> SmsTemplate:
    when = timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M")
    return SmsTemplate.of("hearing_link", case_no=session.case.case_no, when=when, link=url)


def _deliver(link_id: int, phone: str, message: str, template: SmsTemplate) -> None:
    """Send one link's SMS (after commit); on success mark it sent and trace it."""
    try:
        send_sms(phone=phone, message=message, template=template)
    except TransportError as exc:
        logger.warning("join link %s: SMS not sent: %s", link_id, exc.message)
        return
    with transaction.atomic():
        link = (
            JoinLink.objects.select_for_update()
            .select_related("participant__session__case")
            .get(pk=link_id)
        )
        link.sent_at = timezone.now()
        link.save(update_fields=["sent_at"])
        _trace(
            link.participant.session,
            Actor.system("notices"),
            "session.join_link_sent",
            {"participant_id": link.participant_id, "link_id": link.pk, "channel": "sms"},
        )


def _send_new_link(participant: SessionParticipant, actor: Actor) -> None:
    """Make a link for ``participant`` and send it once this transaction commits."""
    session = participant.session
    ttl = max(session.join_closes_at - timezone.now(), MIN_LINK_TTL)
    path = join_link_create(participant=participant, ttl=ttl, actor=actor)
    link_id = JoinLink.objects.filter(participant=participant).latest("pk").pk
    url = f"{settings.ACCORD_BASE_URL.rstrip('/')}{path}"
    phone = participant.user.phone or ""
    message = _link_message(session, url)
    template = _link_template(session, url)
    transaction.on_commit(lambda: _deliver(link_id, phone, message, template))


def _revoke_links(participant: SessionParticipant) -> list[int]:
    ids = list(_live_links(participant).values_list("pk", flat=True))
    JoinLink.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    return ids


def _notify_on_commit(session: HearingSession, kind: str, participant_ids: list[int]) -> None:
    if participant_ids:
        session_id = str(session.pk)
        transaction.on_commit(
            lambda: notify_session_scheduled.delay(session_id, kind, participant_ids)
        )


# --- Writes -----------------------------------------------------------------


def _check_time(scheduled_at: datetime) -> None:
    if scheduled_at < timezone.now() - timedelta(minutes=1):
        raise ServiceError(
            _("A hearing cannot be scheduled in the past."),
            code="invalid",
            fields={"scheduled_at": [_("Choose a time from now on.")]},
        )


def hearing_schedule(
    *,
    case: Case,
    scheduled_at: datetime,
    duration_minutes: int,
    join_opens_minutes: int,
    title: str,
    participants: Sequence[tuple[User, ParticipantRole]],
    by: User,
) -> HearingSession:
    """Schedule a hearing with people of :func:`schedule_candidates`, each in one of their
    roles; those who sign in with their phone get a one-time join link by SMS, staff with a
    phone an SMS notice, after the commit."""
    if not may_schedule(user=by, case=case):
        raise ServiceError(
            _("Only the case's mediator or an organization administrator can schedule hearings."),
            code="forbidden",
        )
    _check_time(scheduled_at)
    allowed = {c.user.pk: c for c in schedule_candidates(case=case)}
    for user, role in participants:
        candidate = allowed.get(user.pk)
        if candidate is None or role not in candidate.roles:
            raise ServiceError(
                _("%(name)s cannot take part as %(role)s.")
                % {"name": user, "role": ParticipantRole(role).label},
                code="invalid",
                fields={"participants": [_("Choose people of this case, each in their role.")]},
            )
    actor = _actor(by, case)
    with transaction.atomic():
        session = session_schedule(
            case=case,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            join_opens_minutes=join_opens_minutes,
            title=title,
            participants=participants,
            by=by,
            notify=False,
        )
        told: list[int] = []
        for participant in session.participants.select_related("user", "session__case"):
            if participant.user_id == by.pk:
                continue
            if allowed[participant.user_id].by_link:
                _send_new_link(participant, actor)
            elif participant.user.phone:
                told.append(participant.pk)
        _notify_on_commit(session, "invited", told)
    return session


def _locked(session: HearingSession, by: User) -> HearingSession:
    """Lock a scheduled session the user manages; call inside ``transaction.atomic()``."""
    locked = HearingSession.objects.select_for_update().select_related("case").get(pk=session.pk)
    if not may_manage(user=by, session=locked):
        raise ServiceError(
            _("Only the case's mediator or an organization administrator can do this."),
            code="forbidden",
        )
    if locked.status != SessionStatus.SCHEDULED:
        raise ServiceError(
            _("Only a hearing that has not started yet can be changed."), code="illegal_state"
        )
    return locked


def join_link_resend(*, participant: SessionParticipant, by: User) -> None:
    """Withdraw the participant's unused links and send a new one by SMS."""
    with transaction.atomic():
        session = _locked(participant.session, by)
        participant = SessionParticipant.objects.select_related("user", "session__case").get(
            pk=participant.pk
        )
        if not gets_join_link(participant.user):
            raise ServiceError(
                _("Only a participant who signs in with a mobile number can get a join link."),
                code="invalid",
            )
        actor = _actor(by, session.case)
        revoked = _revoke_links(participant)
        if revoked:
            _trace(
                session,
                actor,
                "session.join_link_revoked",
                {"participant_id": participant.pk, "link_ids": revoked, "replaced": True},
            )
        _send_new_link(participant, actor)


def join_link_revoke(*, participant: SessionParticipant, by: User) -> list[int]:
    """Withdraw the participant's unused links; returns their ids."""
    with transaction.atomic():
        session = _locked(participant.session, by)
        revoked = _revoke_links(participant)
        if not revoked:
            raise ServiceError(_("This participant has no unused join link."), code="illegal_state")
        _trace(
            session,
            _actor(by, session.case),
            "session.join_link_revoked",
            {"participant_id": participant.pk, "link_ids": revoked, "replaced": False},
        )
    return revoked


def _others_with_phone(session: HearingSession, by: User) -> list[int]:
    return list(
        session.participants.exclude(user=by)
        .filter(user__phone__isnull=False)
        .exclude(user__phone="")
        .values_list("pk", flat=True)
    )


def session_reschedule(
    *,
    session: HearingSession,
    scheduled_at: datetime,
    duration_minutes: int,
    join_opens_minutes: int,
    by: User,
) -> HearingSession:
    """Move a hearing that has not started; unused join links stay valid to its new end.
    Everyone else with a phone is told by SMS after the commit."""
    _check_time(scheduled_at)
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
    with transaction.atomic():
        locked = _locked(session, by)
        before = {
            "scheduled_at": format_time(locked.scheduled_at),
            "duration_minutes": locked.duration_minutes,
            "join_opens_minutes": locked.join_opens_minutes,
        }
        locked.scheduled_at = scheduled_at
        locked.duration_minutes = duration_minutes
        locked.join_opens_minutes = join_opens_minutes
        locked.save(update_fields=["scheduled_at", "duration_minutes", "join_opens_minutes"])
        expires = max(locked.join_closes_at, timezone.now() + MIN_LINK_TTL)
        links = JoinLink.objects.filter(
            participant__session=locked,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        extended = sorted(links.values_list("pk", flat=True))
        links.update(expires_at=expires)
        _trace(
            locked,
            _actor(by, locked.case),
            "session.rescheduled",
            {
                "from": before,
                "to": {
                    "scheduled_at": format_time(scheduled_at),
                    "duration_minutes": duration_minutes,
                    "join_opens_minutes": join_opens_minutes,
                },
                "link_ids_extended": extended,
                "links_expire_at": format_time(expires),
            },
        )
        _notify_on_commit(locked, "rescheduled", _others_with_phone(locked, by))
    return locked


def session_cancel(*, session: HearingSession, reason: str, by: User) -> HearingSession:
    """Cancel a hearing that has not started: its unused links stop working, nobody can
    enter, and everyone else with a phone is told by SMS after the commit."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            _("Say why the hearing is cancelled."),
            code="invalid",
            fields={"reason": [_("A reason is required.")]},
        )
    with transaction.atomic():
        locked = _locked(session, by)
        locked.status = SessionStatus.CANCELLED
        locked.save(update_fields=["status"])
        revoked = []
        for participant in locked.participants.all():
            revoked += _revoke_links(participant)
        _trace(
            locked,
            _actor(by, locked.case),
            "session.cancelled",
            {"reason": reason, "link_ids_revoked": sorted(revoked)},
        )
        _notify_on_commit(locked, "cancelled", _others_with_phone(locked, by))
    return locked
