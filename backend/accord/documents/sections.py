from __future__ import annotations

from django.http import HttpRequest

from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.documents.selectors import documents_of_case


def documents_section(request: HttpRequest, case: Case) -> SectionContent | None:
    """The case's documents and their versions, for everyone who may read the case (the case
    page itself is the access check)."""
    documents = list(documents_of_case(case))
    if not documents:
        return None
    return SectionContent(
        template="documents/_case_documents.html",
        context={"documents": documents},
        order=40,
    )
