"""What conflicts adds to the case page (``cases.sections``): applying for the mediator's
recusal (parties), withdrawing from the case (its mediator), deciding applications and
replacing the mediator (administrators)."""

from __future__ import annotations

from django.http import HttpRequest

from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.cases.selectors import case_parties
from accord.cases.services.assignment import MEDIATED_STATES
from accord.cases.states import Party
from accord.conflicts.forms import ReasonForm, RecusalApplicationForm
from accord.conflicts.selectors import pending_for, recusals_of_case


def recusal_section(request: HttpRequest, case: Case) -> SectionContent | None:
    parties = case_parties(case=case, user=request.user)
    is_party = bool(parties & {Party.APPLICANT, Party.INSTITUTION})
    is_admin = Party.ORG_ADMIN in parties
    is_mediator = Party.MEDIATOR in parties
    if not (is_party or is_admin or is_mediator):
        return None
    mediated = case.state in MEDIATED_STATES
    pending = pending_for(case)
    return SectionContent(
        template="conflicts/_case_recusal.html",
        context={
            "pending": pending,
            "may_apply": is_party and mediated and case.mediator_id is not None and not pending,
            "apply_form": RecusalApplicationForm(),
            "may_self_recuse": is_mediator and mediated,
            "self_form": ReasonForm(auto_id="self_%s"),
            "is_admin": is_admin,
            "may_replace": is_admin and mediated,
            "history": list(recusals_of_case(case)[:10]) if is_admin else [],
        },
        order=30,
    )
