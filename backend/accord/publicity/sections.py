"""The "Typical case" section of the case page (``cases.sections``): for the administrators
of the case's organization, the typical cases drafted from it and, once the case is closed,
the "Make a typical case" button."""

from __future__ import annotations

from django.http import HttpRequest

from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.publicity.selectors import ELIGIBLE_STATES, may_curate, typical_cases_from


def typical_case_section(request: HttpRequest, case: Case) -> SectionContent | None:
    if not may_curate(request.user, case.organization):
        return None
    drafted = list(typical_cases_from(case))
    may_draft = case.state in ELIGIBLE_STATES
    if not drafted and not may_draft:
        return None
    return SectionContent(
        template="publicity/_case_section.html",
        context={"typical_cases": drafted, "may_draft": may_draft},
        order=90,
    )
