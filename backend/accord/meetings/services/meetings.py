"""Writes of the joint meetings (R16). Each runs in one transaction and appends one event to
the convening organization's chain (``org:<CODE>``): ``meeting.created``, ``meeting.updated``,
``meeting.held``, ``meeting.cancelled``, ``meeting.attendee_added``,
``meeting.attendee_updated``, ``meeting.attendee_removed``, ``meeting.case_attached``,
``meeting.case_detached``, ``meeting.alert_attached``, ``meeting.alert_detached``,
``meeting.decision_added``, ``meeting.follow_up_added`` and ``meeting.follow_up_done``.

Payloads hold ids, organization codes, dates and the SHA-256 of texts and names: an attendee
is the account's id or the SHA-256 of the name entered, never the name in clear.

Refusals (nothing is written):

========================  ====  ==================================================================
code                      HTTP  meaning
========================  ====  ==================================================================
``permission_denied``     403   not an officer, clerk or administrator of the convening
                                organization (nor the follow-up's owner, to mark it done)
``invalid``               400   a field is malformed or missing
``invalid_organization``  400   the organization may not convene, or may not attend
``not_a_member``          400   the account named is not a member of the organization named
``duplicate``             409   the attendee, case or alert is already on the meeting
``case_out_of_scope``     400   no such case in the convening organization's scope
``alert_out_of_scope``    400   no such alert visible in the convening organization's scope
``due_before_meeting``    400   a follow-up due before the meeting
``meeting_closed``        409   the meeting was cancelled (or, to be recorded as held or
                                cancelled, is no longer planned)
``not_started``           409   a meeting cannot be recorded as held before it starts
``already_done``          409   the follow-up was already marked done
========================  ====  ==================================================================
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.alerts.models import Alert
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.errors import NotAllowed
from accord.cases.models import Case
from accord.core.api import ConflictError, ServiceError
from accord.meetings.models import (
    Attendance,
    FollowUp,
    FollowUpStatus,
    JointMeeting,
    MeetingAttendee,
    MeetingDecision,
    MeetingStatus,
)
from accord.meetings.selectors import (
    ATTENDING_KINDS,
    attachable_alerts,
    attachable_cases,
    convening_scope,
    owner_role,
    writer_role,
)
from accord.orgs.models import Organization
from accord.orgs.selectors import active_memberships
from accord.orgs.services import org_chain

TITLE_MAX = 200
PLACE_MAX = 200
TEXT_MAX = 5000
NAME_MAX = 100


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _refuse(message: str, *, code: str = "invalid", field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]} if field else None)


def _conflict(message: str, *, code: str, field: str | None = None) -> ConflictError:
    return ConflictError(message, code=code, fields={field: [message]} if field else None)


def _actor(by: User, organization: Organization) -> Actor:
    role = writer_role(by, organization)
    if role is None:
        raise NotAllowed(
            _(
                "Only the officers, clerks and administrators of the convening organization "
                "record its joint meetings."
            )
        )
    return Actor.for_user(by, role=role)


def _text(value: str, *, field: str, limit: int, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise _refuse(_("This field is required."), field=field)
    if len(text) > limit:
        raise _refuse(_("At most %(max)d characters.") % {"max": limit}, field=field)
    return text


def _line(value: str, *, field: str, limit: int, required: bool = False) -> str:
    return _text(" ".join(value.split()), field=field, limit=limit, required=required)


def _open(meeting: JointMeeting) -> JointMeeting:
    """The meeting locked; refused when it was cancelled."""
    locked = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == MeetingStatus.CANCELLED:
        raise _conflict(_("This meeting was cancelled."), code="meeting_closed")
    return locked


def _trace(meeting: JointMeeting, action: str, actor: Actor, **payload: object) -> None:
    trace_append(
        chain=org_chain(meeting.organization),
        action=action,
        actor=actor,
        payload={"meeting_id": meeting.pk, **payload},
    )


# --- The meeting ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MeetingInput:
    title: str
    starts_at: dt.datetime
    place: str = ""
    agenda: str = ""
    summary: str = ""


def clean_meeting(data: MeetingInput) -> MeetingInput:
    return MeetingInput(
        title=_line(data.title, field="title", limit=TITLE_MAX, required=True),
        starts_at=data.starts_at,
        place=_line(data.place, field="place", limit=PLACE_MAX),
        agenda=_text(data.agenda, field="agenda", limit=TEXT_MAX),
        summary=_text(data.summary, field="summary", limit=TEXT_MAX),
    )


def _meeting_values(data: MeetingInput) -> dict[str, object]:
    return {
        "title": data.title,
        "starts_at": data.starts_at,
        "place": data.place,
        "agenda": data.agenda,
        "summary": data.summary,
    }


def _traced(name: str, value: object) -> object:
    """A meeting field as the trace writes it: dates in ISO, texts as their SHA-256."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return sha256(str(value))


def meeting_create(*, organization: Organization, data: MeetingInput, by: User) -> JointMeeting:
    """A planned meeting convened by ``organization`` (a regulator, a court or a mediation
    organization). Trace ``meeting.created``."""
    try:
        convening_scope(organization)
    except ValueError:
        raise _refuse(
            _("Only regulators, courts and mediation organizations convene joint meetings."),
            code="invalid_organization",
        ) from None
    actor = _actor(by, organization)
    data = clean_meeting(data)
    with transaction.atomic():
        meeting = JointMeeting.objects.create(
            organization=organization, created_by=by, **_meeting_values(data)
        )
        _trace(
            meeting,
            "meeting.created",
            actor,
            organization=organization.code,
            starts_at=data.starts_at.isoformat(),
            title_sha256=sha256(data.title),
            place_sha256=sha256(data.place),
            agenda_sha256=sha256(data.agenda),
        )
    return meeting


def meeting_update(*, meeting: JointMeeting, data: MeetingInput, by: User) -> JointMeeting:
    """Correct the meeting's title, time, place, agenda or summary; no change, no event.
    Trace ``meeting.updated`` (each changed field, its new value's SHA-256 or date)."""
    actor = _actor(by, meeting.organization)
    data = clean_meeting(data)
    with transaction.atomic():
        locked = _open(meeting)
        wanted = _meeting_values(data)
        changed = {name: value for name, value in wanted.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*sorted(changed), "updated_at"])
        _trace(
            locked,
            "meeting.updated",
            actor,
            changes={name: _traced(name, value) for name, value in changed.items()},
        )
    return locked


def meeting_hold(*, meeting: JointMeeting, by: User) -> JointMeeting:
    """Record a planned meeting as held (once it has started). Trace ``meeting.held``."""
    actor = _actor(by, meeting.organization)
    with transaction.atomic():
        locked = _open(meeting)
        if locked.status != MeetingStatus.PLANNED:
            raise _conflict(_("This meeting was already recorded as held."), code="meeting_closed")
        if locked.starts_at > timezone.now():
            raise _conflict(
                _("A meeting can be recorded as held once it has started."), code="not_started"
            )
        locked.status = MeetingStatus.HELD
        locked.save(update_fields=["status", "updated_at"])
        _trace(locked, "meeting.held", actor, status=MeetingStatus.HELD.value)
    return locked


def meeting_cancel(*, meeting: JointMeeting, by: User) -> JointMeeting:
    """Cancel a planned meeting. Trace ``meeting.cancelled``."""
    actor = _actor(by, meeting.organization)
    with transaction.atomic():
        locked = _open(meeting)
        if locked.status != MeetingStatus.PLANNED:
            raise _conflict(
                _("A meeting that was held cannot be cancelled."), code="meeting_closed"
            )
        locked.status = MeetingStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        _trace(locked, "meeting.cancelled", actor, status=MeetingStatus.CANCELLED.value)
    return locked


# --- Attendees -----------------------------------------------------------------------------


def _check_member(user: User, organization: Organization, *, field: str) -> None:
    if not active_memberships(user).filter(organization=organization).exists():
        raise _refuse(
            _("%(user)s is not a member of %(organization)s.")
            % {"user": str(user), "organization": organization.name},
            code="not_a_member",
            field=field,
        )


def attendee_add(
    *,
    meeting: JointMeeting,
    organization: Organization,
    by: User,
    user: User | None = None,
    name: str = "",
    position: str = "",
    attendance: str = Attendance.INVITED,
) -> MeetingAttendee:
    """An attendee: an organization and a person (an account of it, or a name and position).
    Trace ``meeting.attendee_added`` (the account's id or the name's SHA-256)."""
    actor = _actor(by, meeting.organization)
    if organization.kind not in ATTENDING_KINDS or not organization.is_active:
        raise _refuse(
            _("Choose an active regulator, court, mediation organization or institution."),
            code="invalid_organization",
            field="organization",
        )
    name = _line(name, field="name", limit=NAME_MAX)
    position = _line(position, field="position", limit=NAME_MAX)
    if attendance not in Attendance.values:
        raise _refuse(_("Choose an attendance."), field="attendance")
    if user is None and not name:
        raise _refuse(_("Choose an account or enter the person's name."), field="name")
    if user is not None:
        _check_member(user, organization, field="user")
        name = ""
    with transaction.atomic():
        locked = _open(meeting)
        if user is not None and locked.attendees.filter(user=user).exists():
            raise _conflict(
                _("This person is already an attendee."), code="duplicate", field="user"
            )
        attendee = MeetingAttendee.objects.create(
            meeting=locked,
            organization=organization,
            user=user,
            name=name,
            position=position,
            attendance=attendance,
        )
        person: dict[str, object] = (
            {"user_id": user.pk} if user is not None else {"name_sha256": sha256(name)}
        )
        _trace(
            locked,
            "meeting.attendee_added",
            actor,
            attendee_id=attendee.pk,
            organization=organization.code,
            position_sha256=sha256(position),
            attendance=attendance,
            **person,
        )
    return attendee


def attendee_mark(*, attendee: MeetingAttendee, attendance: str, by: User) -> MeetingAttendee:
    """Record whether the attendee came. Trace ``meeting.attendee_updated``."""
    meeting = attendee.meeting
    actor = _actor(by, meeting.organization)
    if attendance not in Attendance.values:
        raise _refuse(_("Choose an attendance."), field="attendance")
    with transaction.atomic():
        _open(meeting)
        locked = MeetingAttendee.objects.select_for_update().get(pk=attendee.pk)
        if locked.attendance == attendance:
            return locked
        before = locked.attendance
        locked.attendance = attendance
        locked.save(update_fields=["attendance"])
        _trace(
            meeting,
            "meeting.attendee_updated",
            actor,
            attendee_id=locked.pk,
            attendance={"from": before, "to": attendance},
        )
    return locked


def attendee_remove(*, attendee: MeetingAttendee, by: User) -> None:
    """Take an attendee entered by mistake off the meeting. Trace ``meeting.attendee_removed``."""
    meeting = attendee.meeting
    actor = _actor(by, meeting.organization)
    with transaction.atomic():
        _open(meeting)
        payload = {"attendee_id": attendee.pk, "organization": attendee.organization.code}
        MeetingAttendee.objects.filter(pk=attendee.pk).delete()
        _trace(meeting, "meeting.attendee_removed", actor, **payload)


# --- Cases discussed -----------------------------------------------------------------------


def case_attach(*, meeting: JointMeeting, case_no: str, by: User) -> Case:
    """Discuss a case of the convening organization's scope. Trace ``meeting.case_attached``."""
    actor = _actor(by, meeting.organization)
    case_no = case_no.strip()
    case = attachable_cases(meeting).filter(case_no=case_no).first() if case_no else None
    if case is None:
        raise _refuse(
            _("No case with this number in the convening organization's cases."),
            code="case_out_of_scope",
            field="case_no",
        )
    with transaction.atomic():
        locked = _open(meeting)
        if locked.cases.filter(pk=case.pk).exists():
            raise _conflict(
                _("This case is already on the meeting."), code="duplicate", field="case_no"
            )
        locked.cases.add(case)
        _trace(locked, "meeting.case_attached", actor, case_id=case.pk, case_no=case.case_no)
    return case


def case_detach(*, meeting: JointMeeting, case: Case, by: User) -> None:
    """Take a case off the meeting. Trace ``meeting.case_detached``."""
    actor = _actor(by, meeting.organization)
    with transaction.atomic():
        locked = _open(meeting)
        if not locked.cases.filter(pk=case.pk).exists():
            return
        locked.cases.remove(case)
        _trace(locked, "meeting.case_detached", actor, case_id=case.pk, case_no=case.case_no)


# --- Alerts discussed ----------------------------------------------------------------------


def alert_attach(*, meeting: JointMeeting, alert: Alert, by: User) -> Alert:
    """Discuss an alert visible in the convening organization's scope.
    Trace ``meeting.alert_attached``."""
    actor = _actor(by, meeting.organization)
    if not attachable_alerts(meeting).filter(pk=alert.pk).exists():
        raise _refuse(
            _("This alert is not one of the convening organization's."),
            code="alert_out_of_scope",
            field="alert",
        )
    with transaction.atomic():
        locked = _open(meeting)
        if locked.alerts.filter(pk=alert.pk).exists():
            raise _conflict(
                _("This alert is already on the meeting."), code="duplicate", field="alert"
            )
        locked.alerts.add(alert)
        _trace(locked, "meeting.alert_attached", actor, alert_id=alert.pk, kind=alert.kind)
    return alert


def alert_detach(*, meeting: JointMeeting, alert: Alert, by: User) -> None:
    """Take an alert off the meeting. Trace ``meeting.alert_detached``."""
    actor = _actor(by, meeting.organization)
    with transaction.atomic():
        locked = _open(meeting)
        if not locked.alerts.filter(pk=alert.pk).exists():
            return
        locked.alerts.remove(alert)
        _trace(locked, "meeting.alert_detached", actor, alert_id=alert.pk)


# --- Decisions and follow-ups --------------------------------------------------------------


def decision_add(*, meeting: JointMeeting, text: str, by: User) -> MeetingDecision:
    """The next decision of the meeting. Trace ``meeting.decision_added``."""
    actor = _actor(by, meeting.organization)
    text = _text(text, field="text", limit=TEXT_MAX, required=True)
    with transaction.atomic():
        locked = _open(meeting)
        last = locked.decisions.aggregate(last=Max("order"))["last"] or 0
        decision = MeetingDecision.objects.create(meeting=locked, order=last + 1, text=text)
        _trace(
            locked,
            "meeting.decision_added",
            actor,
            decision_id=decision.pk,
            order=decision.order,
            text_sha256=sha256(text),
        )
    return decision


def follow_up_add(
    *,
    meeting: JointMeeting,
    text: str,
    owner_organization: Organization,
    due_on: dt.date,
    by: User,
    owner_user: User | None = None,
) -> FollowUp:
    """A follow-up owned by the convening or an attending organization (and optionally one of
    its people), due on or after the meeting's day. Trace ``meeting.follow_up_added``."""
    actor = _actor(by, meeting.organization)
    text = _text(text, field="text", limit=TEXT_MAX, required=True)
    with transaction.atomic():
        locked = _open(meeting)
        owners = {locked.organization_id, *locked.attendees.values_list("organization", flat=True)}
        if owner_organization.pk not in owners:
            raise _refuse(
                _("The owner must be the convening organization or an attending one."),
                code="invalid_organization",
                field="owner_organization",
            )
        if owner_user is not None:
            _check_member(owner_user, owner_organization, field="owner_user")
        meeting_day = timezone.localdate(locked.starts_at)
        if due_on < meeting_day:
            raise _refuse(
                _("A follow-up cannot be due before the meeting (%(day)s).")
                % {"day": meeting_day.isoformat()},
                code="due_before_meeting",
                field="due_on",
            )
        follow_up = FollowUp.objects.create(
            meeting=locked,
            text=text,
            owner_organization=owner_organization,
            owner_user=owner_user,
            due_on=due_on,
        )
        _trace(
            locked,
            "meeting.follow_up_added",
            actor,
            follow_up_id=follow_up.pk,
            owner_organization=owner_organization.code,
            owner_user_id=owner_user.pk if owner_user is not None else None,
            due_on=due_on.isoformat(),
            text_sha256=sha256(text),
        )
    return follow_up


def follow_up_done(*, follow_up: FollowUp, by: User, note: str = "") -> FollowUp:
    """Mark a follow-up done, by the convening organization or the owner.
    Trace ``meeting.follow_up_done`` (the note's SHA-256)."""
    meeting = follow_up.meeting
    role = writer_role(by, meeting.organization) or owner_role(by, follow_up)
    if role is None:
        raise NotAllowed(
            _("Only the convening organization or the follow-up's owner marks it done.")
        )
    actor = Actor.for_user(by, role=role)
    note = _text(note, field="note", limit=TEXT_MAX)
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.status == FollowUpStatus.DONE:
            raise _conflict(_("This follow-up was already marked done."), code="already_done")
        locked.status = FollowUpStatus.DONE
        locked.done_at = timezone.now()
        locked.done_note = note
        locked.done_by = by
        locked.save(update_fields=["status", "done_at", "done_note", "done_by"])
        _trace(
            meeting,
            "meeting.follow_up_done",
            actor,
            follow_up_id=locked.pk,
            done_at=locked.done_at.isoformat(),
            note_sha256=sha256(note),
        )
    return locked
