"""The "Neutral evaluation" section of the case page (``cases.sections``): the case's
evaluations with their status and, once delivered, the advisory report; asking for one (the
organization, the institution); the expert's link to their evaluation page."""

from __future__ import annotations

from django.http import HttpRequest

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.evaluation.forms import RequestForm
from accord.evaluation.selectors import (
    evaluations_of_case,
    grounds_for,
    is_declared_expert,
    may_administer,
    may_request,
    requesting_side,
)


def evaluation_section(request: HttpRequest, case: Case) -> SectionContent | None:
    """For everyone who reaches the case page (its access was checked there); ``None`` when
    the case has no evaluation and the viewer may not ask for one."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    evaluations = list(evaluations_of_case(case))
    side = requesting_side(case, user)
    requestable = side is not None and may_request(case, user)
    if not evaluations and not requestable:
        return None
    return SectionContent(
        template="evaluation/_case_section.html",
        context={
            "evaluations": evaluations,
            "may_request": requestable,
            "request_form": RequestForm(grounds=grounds_for(side)) if side else None,
            "is_admin": may_administer(case, user),
            "expert_of": [e for e in evaluations if is_declared_expert(e, user)],
        },
        order=40,
    )
