"""HTML templates to PDF/A with WeasyPrint.

Each kind has a template ``documents/pdf/<language>/<kind>.html`` (written in that language,
not translated string by string: legal wording) extending ``documents/pdf/base.html``;
it is rendered in the document's language with the drafter's fields and ``case``: the case's
particulars as they stand when the version is drafted (frozen into the version's fields, so a
later change of the case does not change what an old version says). Fonts are the Noto CJK
fonts from Debian (``fonts-noto-cjk``), found through fontconfig; the output is PDF/A-3b so the
PDFs keep for the archive.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from accord.cases.models import Case

PDF_VARIANT = "pdf/a-3b"


def case_particulars(case: Case) -> dict[str, Any]:
    """What every document says of the case, read from the case (never retyped)."""
    respondent = case.respondent
    organization = case.organization
    mediator = case.mediator
    return {
        "case_no": case.case_no,
        "organization": organization.name if organization else "",
        "organization_en": (organization.name_en or organization.name) if organization else "",
        "organization_address": organization.address if organization else "",
        "applicant_name": case.applicant_name,
        "applicant_type": str(case.get_applicant_type_display()),
        "applicant_type_code": case.applicant_type,
        "applicant_id_number": case.applicant_id_number,
        "credit_code": case.credit_code,
        "representative": case.representative,
        "respondent_name": respondent.name if respondent else "",
        "respondent_name_en": (respondent.name_en or respondent.name) if respondent else "",
        "respondent_address": respondent.address if respondent else "",
        "mediator_name": str(mediator) if mediator else "",
        "business_type": str(case.get_business_type_display()),
        "dispute_nature": str(case.get_dispute_nature_display()),
        "amount": f"{case.amount:.2f}" if case.amount is not None else "",
        "description": case.description,
        "claims": case.claims,
        "court_case_no": case.court_case_no,
        "court": case.court.name if case.court_id and case.court else "",
    }


def render_html(*, kind: str, language: str, fields: dict[str, Any], number: int) -> str:
    with translation.override(language):
        return render_to_string(
            f"documents/pdf/{language}/{kind}.html",
            {"f": fields, "case": fields.get("case", {}), "kind": kind, "number": number},
        )


def render_pdf(*, kind: str, language: str, fields: dict[str, Any], number: int) -> bytes:
    # Imported here: WeasyPrint loads Pango at import time, which only the processes that
    # render documents need.
    from weasyprint import HTML

    html = render_html(kind=kind, language=language, fields=fields, number=number)
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
