"""The assignment check conflicts registers with ``cases.hooks.on_assignment_check``."""

from __future__ import annotations

from accord.cases.hooks import AssignmentAttempt
from accord.cases.services.transitions import case_trace
from accord.conflicts.matching import conflict_message, conflicts_for
from accord.core.api import ConflictError


def refuse_conflicted_mediator(attempt: AssignmentAttempt) -> None:
    """Refuse ``mediator_conflict`` (409, on the field ``mediator``) when the mediator's
    declared relationships touch the case; nothing is written. With an ``override_reason``
    the assignment goes through and ``conflict.overridden`` is traced on the case's chain, in
    the assignment's transaction: the relationships by id, the mediator by id, the reason."""
    conflicts = conflicts_for(attempt.case, attempt.mediator)
    if not conflicts:
        return
    if not attempt.override_reason:
        message = conflict_message(conflicts)
        raise ConflictError(message, code="mediator_conflict", fields={"mediator": [message]})
    case_trace(
        locked=attempt.case,
        action="conflict.overridden",
        actor=attempt.actor,
        payload={
            "mediator": {"user_id": attempt.mediator.pk},
            "relationships": [conflict.relationship.pk for conflict in conflicts],
            "possible": [conflict.relationship.pk for conflict in conflicts if conflict.possible],
            "reason": attempt.override_reason,
        },
    )
