"""Moving a case through its states (the table is ``accord.cases.states``)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.errors import IllegalTransition, NotAllowed
from accord.cases.hooks import (
    AssignmentAttempt,
    CaseEvent,
    CaseTransition,
    assignment_checked,
    case_event_happened,
    case_transitioned,
)
from accord.cases.models import Case, CaseComplexity, CaseState, IntakeChannel
from accord.cases.payloads import CaseTransitioned, MaterialsSigned, UserRef
from accord.cases.selectors import case_parties
from accord.cases.states import (
    PARTY_PRECEDENCE,
    PARTY_ROLE,
    REASON_REQUIRED,
    TRANSITIONS,
    Party,
)
from accord.core.api import ConflictError, ServiceError
from accord.orgs.models import Role
from accord.orgs.selectors import has_role


def _parse_state(value: CaseState | str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        raise ServiceError(
            _("Unknown state %(state)r.") % {"state": value},
            fields={"to": [_("Choose one of the case states.")]},
        ) from None


def _copy_state(target: Case, source: Case) -> None:
    for name in (
        "state",
        "state_reason",
        "state_changed_at",
        "mediator_id",
        "complexity",
        "updated_at",
    ):
        setattr(target, name, getattr(source, name))


def lock_case(case: Case) -> Case:
    """The case's row, locked for the surrounding transaction, with its organizations."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("organization", "respondent")
        .get(pk=case.pk)
    )


def case_trace(*, locked: Case, action: str, actor: Actor, payload: dict[str, object]) -> None:
    """Append ``action`` to the case's chain and tell the apps above (``hooks.on_case_event``),
    in the caller's transaction. For every case event that is not a move of the state."""
    trace_append(chain=locked.chain, action=action, actor=actor, payload=dict(payload))
    case_event_happened(CaseEvent(case=locked, action=action, actor=actor, payload=payload))


def _parse_complexity(value: str) -> CaseComplexity:
    try:
        return CaseComplexity(value)
    except ValueError:
        raise ServiceError(
            _("Choose simple, normal or complex."),
            code="invalid_complexity",
            fields={"complexity": [_("Choose simple, normal or complex.")]},
        ) from None


def check_mediator_choice(
    *, locked: Case, mediator: User | None, actor: Actor, override_reason: str
) -> User:
    """That ``mediator`` may become the mediator of ``locked``: a mediator of its organization
    that every registered assignment check accepts (conflicts, the roster's status). Raises
    ``invalid_mediator`` (400) or what a check raises; writes only what a check writes."""
    if mediator is None or not has_role(mediator, Role.MEDIATOR, locked.organization):
        raise ServiceError(
            _("Choose a mediator of %(org)s.") % {"org": locked.organization.name},
            code="invalid_mediator",
            fields={"mediator": [_("Not a mediator of this organization.")]},
        )
    assignment_checked(
        AssignmentAttempt(
            case=locked, mediator=mediator, actor=actor, override_reason=override_reason
        )
    )
    return mediator


def override_reason_of(*, override: bool, override_reason: str) -> str:
    """The override's reason ("" when there is no override); an override needs one."""
    override_reason = override_reason.strip()
    if override and not override_reason:
        raise ServiceError(
            _("An override needs a written reason."),
            code="reason_required",
            fields={"override_reason": [_("Required to override a conflict.")]},
        )
    return override_reason if override else ""


def case_transition(
    *,
    case: Case,
    user: User,
    to: CaseState | str,
    reason: str = "",
    mediator: User | None = None,
    complexity: str = CaseComplexity.NORMAL,
    override: bool = False,
    override_reason: str = "",
) -> Case:
    """Move ``case`` to ``to`` on behalf of ``user``; one trace event ``case.<to>``.

    Accepting sets the case's ``complexity`` (simple / normal / complex: it selects the time
    limit). Assigning runs the registered assignment checks (``hooks.on_assignment_check``:
    a declared conflict refuses the mediator unless ``override`` with an ``override_reason``).

    Preconditions: the caller has checked that ``user`` may see ``case`` (views
    answer 404 otherwise). The case row is locked for the transaction, so two
    racing moves apply one after the other against the fresh state. Raises,
    changing nothing: ``illegal_transition`` (409) when the table has no such
    move from the current state; ``permission_denied`` (403) when ``user`` is
    not a party the table allows; ``reason_required`` / ``invalid_mediator``
    (400), ``invalid_complexity`` (400), ``reason_required`` for an override without a
    reason, and whatever an assignment check raises (``mediator_conflict``, 409). The hooks of
    ``accord.cases.hooks`` run in the same transaction. ``case`` is updated in place and
    returned.
    """
    target = _parse_state(to)
    reason = reason.strip()
    override_reason = override_reason_of(override=override, override_reason=override_reason)
    with transaction.atomic():
        locked = lock_case(case)
        current = CaseState(locked.state)
        allowed = TRANSITIONS.get((current, target))
        if allowed is None:
            raise IllegalTransition(
                _("A case that is %(current)s cannot become %(target)s.")
                % {"current": current.label, "target": target.label}
            )
        acting_as = case_parties(case=locked, user=user) & allowed
        if not acting_as:
            raise NotAllowed(_("You may not make this change to the case."))
        party = next(p for p in PARTY_PRECEDENCE if p in acting_as)
        if target in REASON_REQUIRED and not reason:
            raise ServiceError(
                _("Give a reason."), code="reason_required", fields={"reason": [_("Required.")]}
            )
        actor = Actor.for_user(user, role=PARTY_ROLE[party])
        payload: CaseTransitioned = {"from": current.value, "to": target.value, "reason": reason}
        update_fields: list[str] = []
        if target == CaseState.ACCEPTED:
            locked.complexity = _parse_complexity(complexity)
            update_fields.append("complexity")
            payload["complexity"] = locked.complexity
        if target == CaseState.ASSIGNED:
            locked.mediator = check_mediator_choice(
                locked=locked, mediator=mediator, actor=actor, override_reason=override_reason
            )
            update_fields.append("mediator")
            payload["mediator"] = UserRef(user_id=locked.mediator.pk)
        apply_move(
            locked=locked,
            target=target,
            actor=actor,
            reason=reason,
            payload=payload,
            update_fields=update_fields,
        )
    _copy_state(case, locked)
    return case


def apply_move(
    *,
    locked: Case,
    target: CaseState,
    actor: Actor,
    reason: str,
    payload: CaseTransitioned,
    update_fields: list[str] | None = None,
) -> None:
    """Save ``locked`` (locked by the caller's transaction) in ``target`` and trace
    ``case.<target>``; the transition hooks follow. The caller has checked that the move is
    in the table and that the actor may make it (the services that make a move as part of
    something else, like an institution's answer, check their own rules)."""
    current = CaseState(locked.state)
    locked.state = target
    locked.state_reason = reason
    locked.state_changed_at = timezone.now()
    locked.save(
        update_fields=[
            "state",
            "state_reason",
            "state_changed_at",
            "updated_at",
            *(update_fields or []),
        ]
    )
    trace_append(
        chain=locked.chain,
        action=f"case.{target.value}",
        actor=actor,
        payload=dict(payload),
    )
    # Higher layers follow the move in this transaction (rooms: hearings of a withdrawn
    # or closed case are cancelled).
    case_transitioned(CaseTransition(case=locked, previous=current, state=target, actor=actor))


def case_accept(*, case: Case, user: User, complexity: str = CaseComplexity.NORMAL) -> Case:
    """submitted → accepted, by an administrator of the case's organization, who says how
    complex the case is (it selects the time limit)."""
    return case_transition(case=case, user=user, to=CaseState.ACCEPTED, complexity=complexity)


def case_decline(*, case: Case, user: User, reason: str) -> Case:
    """submitted → declined, with the reason the organization gives (R12)."""
    return case_transition(case=case, user=user, to=CaseState.DECLINED, reason=reason)


def case_assign_mediator(
    *,
    case: Case,
    user: User,
    mediator: User,
    override: bool = False,
    override_reason: str = "",
) -> Case:
    """accepted → assigned; ``mediator`` must be a mediator of the case's organization whom
    the assignment checks accept (or ``override`` with a written ``override_reason``)."""
    return case_transition(
        case=case,
        user=user,
        to=CaseState.ASSIGNED,
        mediator=mediator,
        override=override,
        override_reason=override_reason,
    )


def case_start_mediation(*, case: Case, user: User) -> Case:
    """assigned → mediating, by the assigned mediator or an administrator."""
    return case_transition(case=case, user=user, to=CaseState.MEDIATING)


def case_record_outcome(
    *, case: Case, user: User, outcome: CaseState | str, reason: str = ""
) -> Case:
    """mediating → agreement | failed | terminated (terminated needs a reason)."""
    if outcome not in (CaseState.AGREEMENT, CaseState.FAILED, CaseState.TERMINATED):
        raise ServiceError(
            _("An outcome is agreement, failed or terminated."),
            fields={"outcome": [_("Choose an outcome.")]},
        )
    return case_transition(case=case, user=user, to=outcome, reason=reason)


def case_withdraw(*, case: Case, user: User, reason: str = "") -> Case:
    """Any open state → withdrawn, by the applicant."""
    return case_transition(case=case, user=user, to=CaseState.WITHDRAWN, reason=reason)


def case_close(*, case: Case, user: User, reason: str = "") -> Case:
    """Outcome → closed, by an administrator or the assigned mediator."""
    return case_transition(case=case, user=user, to=CaseState.CLOSED, reason=reason)


def case_sign_for_materials(*, case: Case, user: User, signed_on: date) -> Case:
    """Record the day the organization signed for a court's materials (R11: the
    entrusted mediation period starts that day). Once only; by an administrator
    of the case's organization. Trace event ``case.materials_signed``.
    """
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=case.pk)
        )
        if Party.ORG_ADMIN not in case_parties(case=locked, user=user):
            raise NotAllowed(_("Only an administrator of the organization signs for materials."))
        if locked.channel != IntakeChannel.COURT:
            raise ConflictError(
                _("Only a court-entrusted case has court materials."), code="not_court_case"
            )
        if locked.materials_signed_on is not None:
            raise ConflictError(_("The materials were already signed for."), code="already_signed")
        if locked.entrusted_on is not None and signed_on < locked.entrusted_on:
            raise ServiceError(
                _("Materials cannot be signed for before the case was entrusted."),
                fields={"signed_on": [_("Before the entrustment date.")]},
            )
        locked.materials_signed_on = signed_on
        locked.save(update_fields=["materials_signed_on", "updated_at"])
        payload: MaterialsSigned = {"materials_signed_on": signed_on.isoformat()}
        case_trace(
            locked=locked,
            action="case.materials_signed",
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            payload=dict(payload),
        )
    case.materials_signed_on = signed_on
    return case
