"""Asking for a neutral evaluation, cancelling it, and following the case (it ends, it is
transferred): each step locks the case, writes its row, traces one ``evaluation.*`` event on
the case's chain and tells the people concerned, in one transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.hooks import CaseEvent, CaseTransition
from accord.cases.models import Case
from accord.cases.services.transitions import lock_case
from accord.core.api import ConflictError, ServiceError
from accord.evaluation.models import (
    OPEN_STATUSES,
    AppointmentStatus,
    CancelCause,
    Evaluation,
    EvaluationGround,
    EvaluationStatus,
    ExpertAppointment,
    RequestedAs,
)
from accord.evaluation.selectors import (
    EVALUATION_STATES,
    grounds_for,
    live_appointment,
    may_administer,
    requesting_side,
)
from accord.evaluation.services.common import (
    administrators,
    check_case_state,
    lock,
    required_text,
    tell,
    text_sha256,
    trace,
)
from accord.orgs.models import Role

# The role the trace names for each requesting side.
SIDE_ROLE = {
    RequestedAs.ORG_ADMIN: Role.ORG_ADMIN.value,
    RequestedAs.MEDIATOR: Role.MEDIATOR.value,
    RequestedAs.INSTITUTION: Role.INSTITUTION_STAFF.value,
}


def _ground(side: RequestedAs, ground: str) -> EvaluationGround:
    allowed = grounds_for(side)
    if not ground and len(allowed) == 1:
        return allowed[0]
    try:
        chosen = EvaluationGround(ground)
    except ValueError:
        chosen = None
    if chosen not in allowed:
        message = (
            _("A financial institution asks for an evaluation of a hard complaint.")
            if side == RequestedAs.INSTITUTION
            else _("Choose why the case needs an evaluation: disputed, many parties or typical.")
        )
        raise ServiceError(message, code="invalid_ground", fields={"ground": [message]})
    return chosen


def _pending() -> ConflictError:
    return ConflictError(
        _("A neutral evaluation of this case is already under way."), code="evaluation_pending"
    )


def evaluation_request(*, case: Case, user: User, ground: str, reason: str) -> Evaluation:
    """Ask for a neutral evaluation of ``case``: the case's mediator or an administrator of its
    organization (on the grounds ``disputed``, ``many_parties``, ``typical``), or staff of the
    respondent institution (``hard_complaint``, the default for them). Trace
    ``evaluation.requested`` (ground, side, the reason's SHA-256); the administrators are told.

    Refuses, writing nothing: ``reason_required``, ``invalid``, ``invalid_ground`` (400);
    ``permission_denied`` (403: the applicant, or anyone else who sees the case);
    ``illegal_state`` (409: the case is not accepted, assigned or in mediation) and
    ``evaluation_pending`` (409: one is already open)."""
    reason = required_text(reason, "reason")
    with transaction.atomic():
        locked = lock_case(case)
        side = requesting_side(locked, user)
        if side is None:
            raise NotAllowed(
                _(
                    "A neutral evaluation is asked for by the organization or by the "
                    "financial institution."
                )
            )
        chosen = _ground(side, ground)
        check_case_state(locked)
        if Evaluation.objects.filter(case=locked, status__in=OPEN_STATUSES).exists():
            raise _pending()
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    case=locked,
                    ground=chosen,
                    reason=reason,
                    requested_by=user,
                    requested_as=side,
                )
        except IntegrityError:
            raise _pending() from None
        trace(
            locked,
            "evaluation.requested",
            Actor.for_user(user, role=SIDE_ROLE[side]),
            evaluation,
            ground=chosen.value,
            requested_as=side.value,
            reason_sha256=text_sha256(reason),
        )
        tell(
            [admin for admin in administrators(locked) if admin.pk != user.pk],
            locked,
            kind="evaluation.requested",
            text=_(
                "Case %(case_no)s: a neutral evaluation was asked for (%(ground)s). "
                "Appoint an independent expert."
            )
            % {"case_no": locked.case_no, "ground": chosen.label},
        )
    return evaluation


def _end_appointment(evaluation: Evaluation, *, by: User | None, now: object) -> int | None:
    appointment = live_appointment(evaluation)
    if appointment is None:
        return None
    ExpertAppointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.ENDED, ended_at=now, ended_by=by
    )
    return appointment.expert_id


def _cancel(
    locked_case: Case,
    evaluation: Evaluation,
    *,
    actor: Actor,
    cause: CancelCause,
    by: User | None = None,
    reason: str = "",
) -> None:
    now = timezone.now()
    expert_id = _end_appointment(evaluation, by=by, now=now)
    evaluation.status = EvaluationStatus.CANCELLED
    evaluation.cancelled_at = now
    evaluation.cancel_cause = cause
    evaluation.cancel_reason = reason
    evaluation.cancelled_by = by
    evaluation.save(
        update_fields=["status", "cancelled_at", "cancel_cause", "cancel_reason", "cancelled_by"]
    )
    payload: dict[str, object] = {"reason": cause.value}
    if reason:
        payload["reason_sha256"] = text_sha256(reason)
    trace(locked_case, "evaluation.cancelled", actor, evaluation, **payload)
    told = [evaluation.requested_by]
    if expert_id is not None:
        told.extend(User.objects.filter(pk=expert_id))
    tell(
        told,
        locked_case,
        kind="evaluation.cancelled",
        text=_("Case %(case_no)s: the neutral evaluation was cancelled (%(cause)s).")
        % {"case_no": locked_case.case_no, "cause": cause.label},
    )


def evaluation_cancel(*, evaluation: Evaluation, user: User, reason: str) -> Evaluation:
    """An administrator of the case's organization cancels an open evaluation (also to refuse
    an institution's request), with a reason; a standing appointment ends and the expert
    loses access to the case. Trace ``evaluation.cancelled`` (``reason``: ``organization``,
    the words' SHA-256). Refuses ``reason_required`` (400), ``permission_denied`` (403) and
    ``illegal_state`` (409: reported or cancelled already)."""
    reason = required_text(reason, "reason")
    with transaction.atomic():
        locked_case, locked = lock(evaluation)
        if not may_administer(locked_case, user):
            raise NotAllowed(_("Only an administrator of the organization may do this."))
        if locked.status not in OPEN_STATUSES:
            raise ConflictError(
                _("This evaluation was already reported or cancelled."), code="illegal_state"
            )
        _cancel(
            locked_case,
            locked,
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            cause=CancelCause.ORGANIZATION,
            by=user,
            reason=reason,
        )
    return locked


def _cancel_open(case: Case, actor: Actor, cause: CancelCause) -> None:
    for evaluation in Evaluation.objects.select_for_update().filter(
        case=case, status__in=OPEN_STATUSES
    ):
        evaluation.case = case
        _cancel(case, evaluation, actor=actor, cause=cause)


def evaluations_follow_transition(move: CaseTransition) -> None:
    """A case that leaves mediation (an outcome, a withdrawal, the institution declining):
    its open evaluation is cancelled in the move's transaction (``case_ended``)."""
    if move.state in EVALUATION_STATES:
        return
    _cancel_open(move.case, move.actor, CancelCause.CASE_ENDED)


def evaluations_follow_event(event: CaseEvent) -> None:
    """A case transferred to another organization: its open evaluation (an expert of the
    former organization) is cancelled in the transfer's transaction (``transferred``)."""
    if event.action != "case.transfer_accepted":
        return
    _cancel_open(event.case, event.actor, CancelCause.TRANSFERRED)


__all__ = [
    "evaluation_cancel",
    "evaluation_request",
    "evaluations_follow_event",
    "evaluations_follow_transition",
]
