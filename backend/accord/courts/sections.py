"""What courts adds to the case page (``cases.sections``): for a case a court entrusted, the
entrustment and, once mediation ended, the feedback owed to the court — to the organization's
administrators, who decide and send it, and to the mediator, who sees where it stands."""

from __future__ import annotations

from django.http import HttpRequest

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.courts.models import CourtFeedback
from accord.courts.services.feedback import entrustment_of
from accord.orgs.models import Role
from accord.orgs.selectors import has_role


def court_section(request: HttpRequest, case: Case) -> SectionContent | None:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    admin = has_role(user, Role.ORG_ADMIN, case.organization)
    if not admin and case.mediator_id != user.pk:
        return None
    entrustment = entrustment_of(case)
    if entrustment is None:
        return None
    feedback = (
        CourtFeedback.objects.filter(entrustment=entrustment).select_related("deadline").first()
    )
    return SectionContent(
        template="courts/_case_court.html",
        context={"entrustment": entrustment, "feedback": feedback, "court_admin": admin},
        order=45,
    )
