"""The roster's section of the case page (``cases.sections``): a link to the roster of the
organization handling the case, and, once the case closed, the feedback form of the viewer's
party side."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.mediators.feedback import feedback_url, side_of
from accord.mediators.models import Feedback


def roster_section(request: HttpRequest, case: Case) -> SectionContent | None:
    user = request.user
    if not isinstance(user, User):
        return None
    side = side_of(case=case, user=user)
    feedback = Feedback.objects.filter(case=case, side=side).first() if side else None
    return SectionContent(
        template="mediators/_case_section.html",
        context={
            "roster_url": f"{reverse('mediators:roster')}?org={case.organization.code}",
            "feedback": feedback,
            "feedback_url": feedback_url(case),
        },
        order=90,
    )
