"""The roster's assignment check (``cases.hooks.on_assignment_check``): a suspended or exited
mediator is not given a case. A mediator without a profile has not been put on the roster yet
and counts as active (the organization may assign its mediators before filling their
profiles). An administrator's conflict override does not apply here: it is about declared
relationships, and availability is not a conflict to argue."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accord.cases.hooks import AssignmentAttempt
from accord.core.api import ConflictError
from accord.mediators.models import MediatorProfile, MediatorStatus


def refuse_unavailable_mediator(attempt: AssignmentAttempt) -> None:
    status = (
        MediatorProfile.objects.filter(
            membership__user=attempt.mediator,
            membership__organization_id=attempt.case.organization_id,
        )
        .values_list("status", flat=True)
        .first()
    )
    if status is None or status == MediatorStatus.ACTIVE:
        return
    message = _("This mediator's roster status is “%(status)s”: they cannot be given a case.") % {
        "status": MediatorStatus(status).label
    }
    raise ConflictError(message, code="mediator_unavailable", fields={"mediator": [message]})
