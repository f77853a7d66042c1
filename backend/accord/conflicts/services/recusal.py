"""Recusal of a case's mediator (回避): a party applies and an administrator decides, the
mediator withdraws, or the entrusting court requires it.

Every step locks the case, writes its row, traces one ``recusal.*`` event on the case's chain
and tells the people of the case (``inbox.services.notify``), in one transaction. Removing the
mediator is the cases service's (``case_remove_mediator`` / ``case_replace_mediator``), called in
the same transaction: the mediator loses access to the case at once. The grounds and reasons are
a person's words and may name people: the rows keep them; the trace carries their SHA-256 (and
the cases service's ``reason`` is a reference to the row, ``recusal-application:<id>``).
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.hooks import CaseEvent
from accord.cases.models import Case, IntakeChannel
from accord.cases.selectors import case_parties
from accord.cases.services import RemovalCause, case_remove_mediator, case_replace_mediator
from accord.cases.services.assignment import MEDIATED_STATES
from accord.cases.services.transitions import case_trace, lock_case
from accord.cases.states import PARTY_ROLE, Party
from accord.conflicts.models import RecusalApplication, RecusalSource, RecusalStatus
from accord.core.api import ConflictError, ServiceError
from accord.inbox.services import notify
from accord.orgs.models import MediationRules, Role
from accord.orgs.selectors import has_role
from accord.workdays.periods import add_working_days

TEXT_MAX = 5000
# Parties who may apply, in the order the trace names the role of one who is both.
APPLYING_PARTIES = (Party.APPLICANT, Party.INSTITUTION)
DEFAULT_DECISION_DAYS = 3


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _required_text(text: str, field: str) -> str:
    text = text.strip()
    if not text:
        raise ServiceError(
            _("Give your reasons."), code="reason_required", fields={field: [_("Required.")]}
        )
    if len(text) > TEXT_MAX:
        message = _("At most %(max)d characters.") % {"max": TEXT_MAX}
        raise ServiceError(message, code="invalid", fields={field: [message]})
    return text


def _removal_reason(application: RecusalApplication) -> str:
    """The ``reason`` given to the cases service: a reference, not the words."""
    return f"recusal-application:{application.pk}"


def _users_with(role: Role, organization_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__role=role,
        memberships__is_active=True,
    ).distinct()


def _people_of(case: Case, mediator_id: int | None) -> list[User]:
    """Who is told of a recusal step: the applicant's account, the respondent's staff, the
    mediator concerned and the administrators of the organization."""
    people: list[User] = []
    if case.applicant_id is not None:
        people.extend(User.objects.filter(pk=case.applicant_id))
    people.extend(_users_with(Role.INSTITUTION_STAFF, case.respondent_id))
    if mediator_id is not None:
        people.extend(User.objects.filter(pk=mediator_id))
    people.extend(_users_with(Role.ORG_ADMIN, case.organization_id))
    return people


def _tell(case: Case, mediator_id: int | None, *, kind: str, text: str) -> None:
    notify(
        _people_of(case, mediator_id),
        kind=kind,
        text=text,
        case_no=case.case_no,
        url=reverse("cases:detail", kwargs={"case_no": case.case_no}),
    )


def _mediated(locked: Case) -> int:
    """The case's mediator id, or ``illegal_state`` (409) when it has none to recuse."""
    if locked.state not in MEDIATED_STATES or locked.mediator_id is None:
        raise ConflictError(
            _("A recusal applies only while a mediator is assigned to the case."),
            code="illegal_state",
        )
    return locked.mediator_id


def recusal_apply(*, case: Case, user: User, grounds: str) -> RecusalApplication:
    """A party (the applicant, or staff of the respondent) applies for the recusal of the
    case's mediator; the organization decides within ``recusal_decision_days`` working days
    (``due_on``, provisional when counted on a year without holiday data). Trace
    ``recusal.applied``. Refuses ``reason_required`` / ``invalid`` (400),
    ``permission_denied`` (403: not a party), ``illegal_state`` (409: no mediator to recuse)
    and ``already_pending`` (409: one application per case and mediator awaits a decision)."""
    grounds = _required_text(grounds, "grounds")
    with transaction.atomic():
        locked = lock_case(case)
        parties = case_parties(case=locked, user=user)
        party = next((p for p in APPLYING_PARTIES if p in parties), None)
        if party is None:
            raise NotAllowed(_("Only a party to the case may apply for a recusal."))
        mediator_id = _mediated(locked)
        if RecusalApplication.objects.filter(
            case=locked, mediator_id=mediator_id, status=RecusalStatus.PENDING
        ).exists():
            raise _already_pending()
        rules = MediationRules.objects.filter(organization_id=locked.organization_id).first()
        days = rules.recusal_decision_days if rules is not None else DEFAULT_DECISION_DAYS
        applied_on = timezone.localdate()
        due = add_working_days(applied_on, days)
        try:
            with transaction.atomic():
                application = RecusalApplication.objects.create(
                    case=locked,
                    mediator_id=mediator_id,
                    source=RecusalSource.PARTY,
                    applied_by=user,
                    applied_as=party.value,
                    grounds=grounds,
                    applied_on=applied_on,
                    due_on=due.date,
                    due_provisional=due.provisional,
                )
        except IntegrityError:
            raise _already_pending() from None
        case_trace(
            locked=locked,
            action="recusal.applied",
            actor=Actor.for_user(user, role=PARTY_ROLE[party]),
            payload={
                "application": application.pk,
                "mediator": {"user_id": mediator_id},
                "applied_as": party.value,
                "grounds_sha256": text_sha256(grounds),
                "due_on": due.date.isoformat(),
                "due_provisional": due.provisional,
            },
        )
        _tell(
            locked,
            mediator_id,
            kind="recusal.applied",
            text=_(
                "Case %(case_no)s: a party applied for the recusal of the mediator. "
                "The organization decides by %(due)s."
            )
            % {"case_no": locked.case_no, "due": due.date.isoformat()},
        )
    return application


def _already_pending() -> ConflictError:
    return ConflictError(
        _("A recusal application for this mediator already awaits a decision."),
        code="already_pending",
    )


def recusal_decide(
    *,
    application: RecusalApplication,
    user: User,
    granted: bool,
    reason: str,
    replacement: User | None = None,
    override: bool = False,
    override_reason: str = "",
) -> RecusalApplication:
    """An administrator of the case's organization grants or rejects a party's application,
    with reasons. Granted: the mediator leaves the case (``case_remove_mediator``, cause
    ``recusal_granted``), or, with a ``replacement``, is replaced at once
    (``case_replace_mediator``: the assignment checks run on the replacement; ``override`` with
    ``override_reason`` as for an assignment). Trace ``recusal.granted`` / ``recusal.rejected``.
    Refuses ``reason_required`` / ``invalid`` (400), ``permission_denied`` (403),
    ``already_decided`` (409) and what the cases services raise."""
    reason = _required_text(reason, "reason")
    if replacement is not None and not granted:
        message = _("A replacement is named only when the application is granted.")
        raise ServiceError(message, code="invalid", fields={"replacement": [message]})
    with transaction.atomic():
        locked = lock_case(application.case)
        if Party.ORG_ADMIN not in case_parties(case=locked, user=user):
            raise NotAllowed(_("Only an administrator of the organization may decide."))
        row = RecusalApplication.objects.select_for_update().get(pk=application.pk)
        if row.status != RecusalStatus.PENDING:
            raise ConflictError(_("This application was already decided."), code="already_decided")
        actor = Actor.for_user(user, role=Role.ORG_ADMIN)
        row.status = RecusalStatus.GRANTED if granted else RecusalStatus.REJECTED
        row.decided_at = timezone.now()
        row.decided_by = user
        row.decision_reason = reason
        row.replacement = replacement
        row.save(
            update_fields=["status", "decided_at", "decided_by", "decision_reason", "replacement"]
        )
        case_trace(
            locked=locked,
            action="recusal.granted" if granted else "recusal.rejected",
            actor=actor,
            payload={
                "application": row.pk,
                "mediator": {"user_id": row.mediator_id},
                "reason_sha256": text_sha256(reason),
                "replacement": None if replacement is None else {"user_id": replacement.pk},
            },
        )
        if granted:
            if replacement is not None:
                case_replace_mediator(
                    case=locked,
                    user=user,
                    mediator=replacement,
                    reason=_removal_reason(row),
                    override=override,
                    override_reason=override_reason,
                )
            else:
                case_remove_mediator(
                    case=locked,
                    actor=actor,
                    cause=RemovalCause.RECUSAL_GRANTED,
                    reason=_removal_reason(row),
                )
            text = _("Case %(case_no)s: the recusal of the mediator was granted.")
        else:
            text = _(
                "Case %(case_no)s: the application for the recusal of the mediator was rejected."
            )
        _tell(
            locked,
            row.mediator_id,
            kind="recusal.granted" if granted else "recusal.rejected",
            text=text % {"case_no": locked.case_no},
        )
    application.refresh_from_db()
    return application


def _decided_at_once(
    *, locked: Case, mediator_id: int, by: User, source: RecusalSource, role: str, reason: str
) -> RecusalApplication:
    now = timezone.now()
    return RecusalApplication.objects.create(
        case=locked,
        mediator_id=mediator_id,
        source=source,
        applied_by=by,
        applied_as=role,
        grounds=reason,
        applied_on=timezone.localdate(),
        status=RecusalStatus.GRANTED,
        decided_at=now,
        decided_by=by,
    )


def recusal_self(*, case: Case, user: User, reason: str) -> RecusalApplication:
    """The case's mediator withdraws from it (自行回避), with a reason: trace ``recusal.self``,
    then ``case_remove_mediator`` (cause ``self_recusal``). Refuses ``reason_required`` (400),
    ``permission_denied`` (403: not the case's mediator) and ``illegal_state`` (409)."""
    reason = _required_text(reason, "reason")
    with transaction.atomic():
        locked = lock_case(case)
        if Party.MEDIATOR not in case_parties(case=locked, user=user):
            raise NotAllowed(_("Only the case's mediator may withdraw from it."))
        mediator_id = _mediated(locked)
        row = _decided_at_once(
            locked=locked,
            mediator_id=mediator_id,
            by=user,
            source=RecusalSource.SELF,
            role=Role.MEDIATOR.value,
            reason=reason,
        )
        actor = Actor.for_user(user, role=Role.MEDIATOR)
        case_trace(
            locked=locked,
            action="recusal.self",
            actor=actor,
            payload={
                "application": row.pk,
                "mediator": {"user_id": mediator_id},
                "reason_sha256": text_sha256(reason),
            },
        )
        case_remove_mediator(
            case=locked, actor=actor, cause=RemovalCause.SELF_RECUSAL, reason=_removal_reason(row)
        )
        _tell(
            locked,
            mediator_id,
            kind="recusal.self",
            text=_("Case %(case_no)s: the mediator withdrew from the case.")
            % {"case_no": locked.case_no},
        )
    return row


def recusal_required_by_court(*, case: Case, clerk: User, reason: str) -> RecusalApplication:
    """The entrusting court requires the mediator's recusal (the court platform's API will
    call this on behalf of the court's clerk): trace ``recusal.court_required``, then
    ``case_remove_mediator`` (cause ``court_requirement``). Refuses ``reason_required`` (400),
    ``permission_denied`` (403: not a clerk of the court that entrusted the case) and
    ``illegal_state`` (409)."""
    reason = _required_text(reason, "reason")
    with transaction.atomic():
        locked = lock_case(case)
        if (
            locked.channel != IntakeChannel.COURT
            or locked.court_id is None
            or not has_role(clerk, Role.COURT_CLERK, locked.court)
        ):
            raise NotAllowed(_("Only the court that entrusted the case may require this."))
        mediator_id = _mediated(locked)
        row = _decided_at_once(
            locked=locked,
            mediator_id=mediator_id,
            by=clerk,
            source=RecusalSource.COURT,
            role=Role.COURT_CLERK.value,
            reason=reason,
        )
        actor = Actor.for_user(clerk, role=Role.COURT_CLERK)
        case_trace(
            locked=locked,
            action="recusal.court_required",
            actor=actor,
            payload={
                "application": row.pk,
                "mediator": {"user_id": mediator_id},
                "court": locked.court_id,
                "reason_sha256": text_sha256(reason),
            },
        )
        case_remove_mediator(
            case=locked,
            actor=actor,
            cause=RemovalCause.COURT_REQUIREMENT,
            reason=_removal_reason(row),
        )
        _tell(
            locked,
            mediator_id,
            kind="recusal.court_required",
            text=_("Case %(case_no)s: the entrusting court required the recusal of the mediator.")
            % {"case_no": locked.case_no},
        )
    return row


def _former_mediator(event: CaseEvent) -> int | None:
    key = "mediator" if event.action == "case.mediator_removed" else "previous"
    ref = event.payload.get(key)
    user_id = ref.get("user_id") if isinstance(ref, dict) else None
    return user_id if isinstance(user_id, int) else None


def pending_lapse(event: CaseEvent) -> list[RecusalApplication]:
    """A ``cases.hooks.on_case_event`` callback: once a mediator left the case otherwise
    (replaced, self-recused, removed), the pending applications against them lapse, each
    traced ``recusal.lapsed`` in the same transaction."""
    if event.action not in ("case.mediator_removed", "case.mediator_replaced"):
        return []
    former = _former_mediator(event)
    if former is None:
        return []
    lapsed = list(
        RecusalApplication.objects.select_for_update().filter(
            case=event.case, mediator_id=former, status=RecusalStatus.PENDING
        )
    )
    for row in lapsed:
        row.status = RecusalStatus.LAPSED
        row.decided_at = timezone.now()
        row.save(update_fields=["status", "decided_at"])
        case_trace(
            locked=event.case,
            action="recusal.lapsed",
            actor=event.actor,
            payload={"application": row.pk, "mediator": {"user_id": former}},
        )
    return lapsed
