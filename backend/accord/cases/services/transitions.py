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
from accord.cases.hooks import CaseTransition, case_transitioned
from accord.cases.models import Case, CaseState, IntakeChannel
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
    for name in ("state", "state_reason", "state_changed_at", "mediator_id", "updated_at"):
        setattr(target, name, getattr(source, name))


def case_transition(
    *,
    case: Case,
    user: User,
    to: CaseState | str,
    reason: str = "",
    mediator: User | None = None,
) -> Case:
    """Move ``case`` to ``to`` on behalf of ``user``; one trace event ``case.<to>``.

    Preconditions: the caller has checked that ``user`` may see ``case`` (views
    answer 404 otherwise). The case row is locked for the transaction, so two
    racing moves apply one after the other against the fresh state. Raises,
    changing nothing: ``illegal_transition`` (409) when the table has no such
    move from the current state; ``permission_denied`` (403) when ``user`` is
    not a party the table allows; ``reason_required`` / ``invalid_mediator``
    (400). The hooks of ``accord.cases.hooks`` run in the same transaction. ``case`` is
    updated in place and returned.
    """
    target = _parse_state(to)
    reason = reason.strip()
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=case.pk)
        )
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
        payload: CaseTransitioned = {"from": current.value, "to": target.value, "reason": reason}
        update_fields = ["state", "state_reason", "state_changed_at", "updated_at"]
        if target == CaseState.ASSIGNED:
            if mediator is None or not has_role(mediator, Role.MEDIATOR, locked.organization):
                raise ServiceError(
                    _("Choose a mediator of %(org)s.") % {"org": locked.organization.name},
                    code="invalid_mediator",
                    fields={"mediator": [_("Not a mediator of this organization.")]},
                )
            locked.mediator = mediator
            update_fields.append("mediator")
            payload["mediator"] = UserRef(user_id=mediator.pk)
        locked.state = target
        locked.state_reason = reason
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=update_fields)
        actor = Actor.for_user(user, role=PARTY_ROLE[party])
        trace_append(
            chain=locked.chain,
            action=f"case.{target.value}",
            actor=actor,
            payload=dict(payload),
        )
        # Higher layers follow the move in this transaction (rooms: hearings of a withdrawn
        # or closed case are cancelled).
        case_transitioned(CaseTransition(case=locked, previous=current, state=target, actor=actor))
    _copy_state(case, locked)
    return case


def case_accept(*, case: Case, user: User) -> Case:
    """submitted → accepted, by an administrator of the case's organization."""
    return case_transition(case=case, user=user, to=CaseState.ACCEPTED)


def case_decline(*, case: Case, user: User, reason: str) -> Case:
    """submitted → declined, with the reason the organization gives (R12)."""
    return case_transition(case=case, user=user, to=CaseState.DECLINED, reason=reason)


def case_assign_mediator(*, case: Case, user: User, mediator: User) -> Case:
    """accepted → assigned; ``mediator`` must be a mediator of the case's organization."""
    return case_transition(case=case, user=user, to=CaseState.ASSIGNED, mediator=mediator)


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
        trace_append(
            chain=locked.chain,
            action="case.materials_signed",
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            payload=dict(payload),
        )
    case.materials_signed_on = signed_on
    return case
