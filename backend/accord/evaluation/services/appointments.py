"""Appointing the independent expert, replacing them, the expert declining, and the expert's
independence declaration.

The expert is checked as a mediator is on assignment (``accord.conflicts.matching``): their
declared relationships that touch the case refuse the appointment with ``expert_conflict``,
unless an administrator overrides it with a written reason (traced
``evaluation.conflict_overridden``: the relationships and the expert by id, the reason's
SHA-256; the row keeps the words). Until the expert declared their independence they see
nothing of the case but who the parties are (what the declaration is about).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.models import Case
from accord.cases.selectors import case_parties
from accord.cases.services.transitions import override_reason_of
from accord.cases.states import Party
from accord.conflicts.matching import Conflict, conflicts_for
from accord.core.api import ConflictError, ServiceError
from accord.evaluation.errors import ExpertConflict
from accord.evaluation.models import (
    OPEN_STATUSES,
    AppointmentStatus,
    Evaluation,
    EvaluationStatus,
    ExpertAppointment,
)
from accord.evaluation.selectors import live_appointment, may_administer
from accord.evaluation.services.common import (
    administrators,
    check_case_state,
    evaluation_path,
    lock,
    people_of_case,
    required_text,
    tell,
    text_sha256,
    trace,
)
from accord.orgs.models import Role
from accord.orgs.selectors import has_role

# Who may not be the expert of a case: they are not independent of it.
_NOT_INDEPENDENT = frozenset({Party.APPLICANT, Party.INSTITUTION, Party.MEDIATOR})


def _invalid_expert(message: str) -> ServiceError:
    return ServiceError(message, code="invalid_expert", fields={"expert": [message]})


def conflict_sentence(conflicts: list[Conflict]) -> str:
    return _("This expert declared a relationship that touches the case: %(conflicts)s.") % {
        "conflicts": "; ".join(conflict.sentence for conflict in conflicts)
    }


def _check_expert(case: Case, expert: User | None) -> User:
    if (
        expert is None
        or not expert.is_active
        or not has_role(expert, Role.EXPERT, case.organization)
    ):
        raise _invalid_expert(
            _("Choose an independent expert of %(org)s.") % {"org": case.organization.name}
        )
    if case_parties(case=case, user=expert) & _NOT_INDEPENDENT:
        raise _invalid_expert(
            _("The expert must be independent: not a party to the case nor its mediator.")
        )
    return expert


def _conflict_check(case: Case, expert: User, override_reason: str) -> list[Conflict]:
    """The expert's conflicts with ``case``; a refusal when there are some and no override."""
    conflicts = conflicts_for(case, expert)
    if conflicts and not override_reason:
        message = conflict_sentence(conflicts)
        raise ExpertConflict(message, fields={"expert": [message]})
    return conflicts


def _appoint(
    locked_case: Case,
    evaluation: Evaluation,
    *,
    expert: User,
    user: User,
    actor: Actor,
    conflicts: list[Conflict],
    override_reason: str,
    replaces: ExpertAppointment | None,
) -> ExpertAppointment:
    if conflicts:
        trace(
            locked_case,
            "evaluation.conflict_overridden",
            actor,
            evaluation,
            expert={"user_id": expert.pk},
            relationships=[conflict.relationship.pk for conflict in conflicts],
            possible=[conflict.relationship.pk for conflict in conflicts if conflict.possible],
            reason_sha256=text_sha256(override_reason),
        )
    try:
        with transaction.atomic():
            appointment = ExpertAppointment.objects.create(
                evaluation=evaluation,
                expert=expert,
                appointed_by=user,
                override_reason=override_reason if conflicts else "",
                overridden_relationships=[conflict.relationship.pk for conflict in conflicts],
            )
    except IntegrityError:
        raise ConflictError(
            _("This evaluation has an expert already."), code="illegal_state"
        ) from None
    evaluation.status = EvaluationStatus.APPOINTED
    evaluation.report = None
    evaluation.save(update_fields=["status", "report"])
    trace(
        locked_case,
        "evaluation.expert_appointed",
        actor,
        evaluation,
        appointment=appointment.pk,
        expert={"user_id": expert.pk},
        replaces=replaces.pk if replaces is not None else None,
    )
    tell(
        [expert],
        locked_case,
        kind="evaluation.appointed",
        text=_(
            "You are appointed as the independent expert of a neutral evaluation of case "
            "%(case_no)s. Declare your independence first: until then you see nothing of the "
            "case."
        )
        % {"case_no": locked_case.case_no},
        url=evaluation_path(evaluation),
    )
    return appointment


def _admin_actor(case: Case, user: User) -> Actor:
    if not may_administer(case, user):
        raise NotAllowed(_("Only an administrator of the organization may do this."))
    return Actor.for_user(user, role=Role.ORG_ADMIN)


def evaluation_appoint_expert(
    *,
    evaluation: Evaluation,
    user: User,
    expert: User | None,
    override: bool = False,
    override_reason: str = "",
) -> ExpertAppointment:
    """An administrator of the case's organization appoints ``expert`` (an active independent
    expert of that organization, no party to the case nor its mediator) to an evaluation
    waiting for one. The conflict check runs as for a mediator; ``override`` with an
    ``override_reason`` appoints despite a conflict. Trace (``evaluation.conflict_overridden``
    and) ``evaluation.expert_appointed``; the expert is told.

    Refuses, writing nothing: ``reason_required`` (400: an override without a reason),
    ``invalid_expert`` (400), ``permission_denied`` (403), ``expert_conflict`` (409, on the
    field ``expert``), ``illegal_state`` (409: it has an expert, is reported or cancelled, or
    the case is no longer being mediated)."""
    override_reason = override_reason_of(override=override, override_reason=override_reason)
    with transaction.atomic():
        locked_case, locked = lock(evaluation)
        actor = _admin_actor(locked_case, user)
        if locked.status != EvaluationStatus.REQUESTED or live_appointment(locked) is not None:
            raise ConflictError(
                _("This evaluation is not waiting for an expert (replace the expert instead)."),
                code="illegal_state",
            )
        check_case_state(locked_case)
        chosen = _check_expert(locked_case, expert)
        conflicts = _conflict_check(locked_case, chosen, override_reason)
        return _appoint(
            locked_case,
            locked,
            expert=chosen,
            user=user,
            actor=actor,
            conflicts=conflicts,
            override_reason=override_reason,
            replaces=None,
        )


def evaluation_replace_expert(
    *,
    evaluation: Evaluation,
    user: User,
    expert: User | None,
    reason: str,
    override: bool = False,
    override_reason: str = "",
) -> ExpertAppointment:
    """An administrator replaces the expert of an open evaluation, with a reason: the former
    expert's appointment ends (they lose access to the case at once), the new one is checked
    and appointed as by :func:`evaluation_appoint_expert` and writes the report afresh. Trace
    ``evaluation.expert_replaced`` then (``evaluation.conflict_overridden`` and)
    ``evaluation.expert_appointed``. Refuses as :func:`evaluation_appoint_expert`, with
    ``reason_required`` (400) and ``same_expert`` (409)."""
    reason = required_text(reason, "reason")
    override_reason = override_reason_of(override=override, override_reason=override_reason)
    with transaction.atomic():
        locked_case, locked = lock(evaluation)
        actor = _admin_actor(locked_case, user)
        current = live_appointment(locked)
        if locked.status not in OPEN_STATUSES or current is None:
            raise ConflictError(
                _("This evaluation has no expert to replace."), code="illegal_state"
            )
        check_case_state(locked_case)
        if expert is not None and expert.pk == current.expert_id:
            raise ConflictError(
                _("This expert is the evaluation's expert already."), code="same_expert"
            )
        chosen = _check_expert(locked_case, expert)
        conflicts = _conflict_check(locked_case, chosen, override_reason)
        current.status = AppointmentStatus.REPLACED
        current.ended_at = timezone.now()
        current.ended_by = user
        current.end_reason = reason
        current.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
        trace(
            locked_case,
            "evaluation.expert_replaced",
            actor,
            locked,
            appointment=current.pk,
            expert={"user_id": current.expert_id},
            reason_sha256=text_sha256(reason),
        )
        tell(
            [current.expert],
            locked_case,
            kind="evaluation.replaced",
            text=_("You no longer evaluate case %(case_no)s: the organization replaced you.")
            % {"case_no": locked_case.case_no},
            url=evaluation_path(locked),
        )
        return _appoint(
            locked_case,
            locked,
            expert=chosen,
            user=user,
            actor=actor,
            conflicts=conflicts,
            override_reason=override_reason,
            replaces=current,
        )


def _own_live(locked: Evaluation, appointment: ExpertAppointment, user: User) -> ExpertAppointment:
    """``appointment``, locked, when it is ``user``'s and still stands on an open evaluation."""
    row = ExpertAppointment.objects.select_for_update().get(pk=appointment.pk)
    if row.evaluation_id != locked.pk or row.expert_id != user.pk:
        raise NotAllowed(_("Only the appointed expert may do this."))
    if not row.is_live or locked.status not in OPEN_STATUSES:
        raise ConflictError(_("This appointment no longer stands."), code="illegal_state")
    return row


def appointment_decline(
    *, appointment: ExpertAppointment, user: User, reason: str
) -> ExpertAppointment:
    """The appointed expert declines (before or after declaring, until the report is
    delivered), with a reason: the evaluation waits for another expert and they lose access
    to the case. Trace ``evaluation.expert_declined``; the administrators are told. Refuses
    ``reason_required`` (400), ``permission_denied`` (403), ``illegal_state`` (409)."""
    reason = required_text(reason, "reason")
    with transaction.atomic():
        locked_case, locked = lock(appointment.evaluation)
        row = _own_live(locked, appointment, user)
        row.status = AppointmentStatus.DECLINED
        row.ended_at = timezone.now()
        row.ended_by = user
        row.end_reason = reason
        row.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
        locked.status = EvaluationStatus.REQUESTED
        locked.report = None
        locked.save(update_fields=["status", "report"])
        trace(
            locked_case,
            "evaluation.expert_declined",
            Actor.for_user(user, role=Role.EXPERT),
            locked,
            appointment=row.pk,
            expert={"user_id": user.pk},
            reason_sha256=text_sha256(reason),
        )
        tell(
            administrators(locked_case),
            locked_case,
            kind="evaluation.declined",
            text=_(
                "Case %(case_no)s: the independent expert declined the evaluation. "
                "Appoint another expert."
            )
            % {"case_no": locked_case.case_no},
        )
    return row


def appointment_declare_independence(
    *, appointment: ExpertAppointment, user: User, declaration: str, confirmed: bool
) -> ExpertAppointment:
    """The appointed expert declares their independence (their own words, and the confirmation
    that they have no interest in the case nor relationship with a party): from now on they
    see the case's statements and evidence, read only. Their declared relationships are
    checked again (one declared since the appointment and not overridden refuses). Trace
    ``evaluation.independence_declared`` (the declaration's SHA-256); the people of the case
    are told.

    Refuses, writing nothing: ``declaration_required``, ``confirmation_required`` (400),
    ``permission_denied`` (403: not the appointed expert, or no longer an expert of the
    organization), ``already_declared``, ``illegal_state``, ``expert_conflict`` (409)."""
    declaration = required_text(declaration, "declaration", code="declaration_required")
    if not confirmed:
        message = _("Confirm that you are independent of the parties and the case.")
        raise ServiceError(message, code="confirmation_required", fields={"confirmed": [message]})
    with transaction.atomic():
        locked_case, locked = lock(appointment.evaluation)
        row = _own_live(locked, appointment, user)
        if row.status == AppointmentStatus.DECLARED:
            raise ConflictError(
                _("You declared your independence already."), code="already_declared"
            )
        if not has_role(user, Role.EXPERT, locked_case.organization):
            raise NotAllowed(_("You are no longer an expert of this organization."))
        check_case_state(locked_case)
        overridden = set(row.overridden_relationships or [])
        fresh = [c for c in conflicts_for(locked_case, user) if c.relationship.pk not in overridden]
        if fresh:
            message = conflict_sentence(fresh)
            raise ExpertConflict(message, fields={"declaration": [message]})
        row.status = AppointmentStatus.DECLARED
        row.declaration = declaration
        row.declared_at = timezone.now()
        row.save(update_fields=["status", "declaration", "declared_at"])
        locked.status = EvaluationStatus.IN_PROGRESS
        locked.save(update_fields=["status"])
        trace(
            locked_case,
            "evaluation.independence_declared",
            Actor.for_user(user, role=Role.EXPERT),
            locked,
            appointment=row.pk,
            expert={"user_id": user.pk},
            declaration_sha256=text_sha256(declaration),
        )
        tell(
            people_of_case(locked_case),
            locked_case,
            kind="evaluation.declared",
            text=_(
                "Case %(case_no)s: the independent expert %(expert)s declared their "
                "independence and is evaluating the case."
            )
            % {"case_no": locked_case.case_no, "expert": user.display_name or "—"},
        )
    return row
