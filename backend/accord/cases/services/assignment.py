"""Who mediates a case, and how complex it is, after acceptance: replacing or removing the
mediator, changing the complexity. Each write locks the case, traces one event on its chain
and tells the apps above (``hooks.on_case_event``) in the same transaction.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, CaseComplexity, CaseState
from accord.cases.selectors import case_parties
from accord.cases.services.transitions import (
    _copy_state,
    _parse_complexity,
    case_trace,
    check_mediator_choice,
    lock_case,
    override_reason_of,
)
from accord.cases.states import Party
from accord.core.api import ConflictError, ServiceError
from accord.orgs.models import Role

# While a case is in these states its mediator can be replaced or removed.
MEDIATED_STATES = frozenset({CaseState.ASSIGNED, CaseState.MEDIATING})


class RemovalCause(StrEnum):
    """Why a mediator leaves a case without a successor named at once."""

    SELF_RECUSAL = "self_recusal"  # the mediator withdrew (自行回避)
    RECUSAL_GRANTED = "recusal_granted"  # a party's recusal application was granted
    COURT_REQUIREMENT = "court_requirement"  # the entrusting court required it
    EXITED = "exited"  # the mediator left the roster


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            _("Give a reason."), code="reason_required", fields={"reason": [_("Required.")]}
        )
    return reason


def _require_admin(locked: Case, user: User) -> Actor:
    if Party.ORG_ADMIN not in case_parties(case=locked, user=user):
        raise NotAllowed(_("Only an administrator of the organization may do this."))
    return Actor.for_user(user, role=Role.ORG_ADMIN)


def case_set_complexity(*, case: Case, user: User, complexity: str, reason: str) -> Case:
    """Change an accepted case's complexity, with a reason, by an administrator of its
    organization; trace ``case.complexity_changed`` (the deadlines follow). Refuses
    ``invalid_complexity``, ``reason_required`` (400), ``permission_denied`` (403),
    ``not_open`` (409: not accepted yet, or already decided) and ``unchanged`` (409)."""
    new = _parse_complexity(complexity)
    reason = _reason_required(reason)
    with transaction.atomic():
        locked = lock_case(case)
        actor = _require_admin(locked, user)
        if locked.state not in (CaseState.ACCEPTED, *MEDIATED_STATES) or not locked.complexity:
            raise ConflictError(
                _("Only an accepted case still in mediation has a complexity to change."),
                code="not_open",
            )
        if locked.complexity == new:
            raise ConflictError(
                _("The case is already %(complexity)s.") % {"complexity": new.label},
                code="unchanged",
            )
        previous = locked.complexity
        locked.complexity = new
        locked.save(update_fields=["complexity", "updated_at"])
        case_trace(
            locked=locked,
            action="case.complexity_changed",
            actor=actor,
            payload={"from": previous, "to": new.value, "reason": reason},
        )
    _copy_state(case, locked)
    return case


def case_replace_mediator(
    *,
    case: Case,
    user: User,
    mediator: User,
    reason: str,
    override: bool = False,
    override_reason: str = "",
) -> Case:
    """Put ``mediator`` in place of the case's mediator (or give a mediating case that lost
    its mediator a new one), by an administrator, with a reason. The same checks as an
    assignment run (conflicts, the roster). Trace ``case.mediator_replaced``; the former
    mediator loses access to the case at once (access follows ``Case.mediator``; the apps
    above drop what they granted on ``hooks.on_case_event``). Refuses ``reason_required``,
    ``invalid_mediator`` (400), ``permission_denied`` (403), ``illegal_state`` and
    ``same_mediator`` (409), and what an assignment check raises."""
    reason = _reason_required(reason)
    override_reason = override_reason_of(override=override, override_reason=override_reason)
    with transaction.atomic():
        locked = lock_case(case)
        actor = _require_admin(locked, user)
        if locked.state not in MEDIATED_STATES:
            raise ConflictError(
                _("A mediator is replaced only while the case is assigned or in mediation."),
                code="illegal_state",
            )
        if locked.mediator_id == mediator.pk:
            raise ConflictError(
                _("This mediator already mediates the case."),
                code="same_mediator",
            )
        previous = locked.mediator_id
        locked.mediator = check_mediator_choice(
            locked=locked, mediator=mediator, actor=actor, override_reason=override_reason
        )
        locked.save(update_fields=["mediator", "updated_at"])
        case_trace(
            locked=locked,
            action="case.mediator_replaced",
            actor=actor,
            payload={
                "previous": None if previous is None else {"user_id": previous},
                "mediator": {"user_id": mediator.pk},
                "reason": reason,
            },
        )
    _copy_state(case, locked)
    return case


def case_remove_mediator(
    *, case: Case, actor: Actor, cause: RemovalCause | str, reason: str
) -> Case:
    """Take the mediator off the case without naming a successor (a recusal, a self-recusal,
    the court's requirement, an exit). An assigned case goes back to ``accepted`` to be
    assigned again; a case in mediation stays in mediation until an administrator names the
    new mediator (``case_replace_mediator``). Trace ``case.mediator_removed``; the mediator
    loses access at once. The caller decided that ``actor`` may (the recusal services).
    Refuses ``reason_required`` (400) and ``no_mediator`` (409)."""
    reason = _reason_required(reason)
    cause = RemovalCause(cause)
    with transaction.atomic():
        locked = lock_case(case)
        if locked.mediator_id is None or locked.state not in MEDIATED_STATES:
            raise ConflictError(_("The case has no mediator to remove."), code="no_mediator")
        previous = locked.mediator_id
        locked.mediator = None
        fields = ["mediator", "updated_at"]
        if locked.state == CaseState.ASSIGNED:
            locked.state = CaseState.ACCEPTED
            locked.state_changed_at = timezone.now()
            fields += ["state", "state_changed_at"]
        locked.save(update_fields=fields)
        case_trace(
            locked=locked,
            action="case.mediator_removed",
            actor=actor,
            payload={
                "mediator": {"user_id": previous},
                "cause": cause.value,
                "reason": reason,
                "state": locked.state,
            },
        )
    _copy_state(case, locked)
    return case


__all__ = [
    "MEDIATED_STATES",
    "CaseComplexity",
    "RemovalCause",
    "case_remove_mediator",
    "case_replace_mediator",
    "case_set_complexity",
]
