from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import content_disposition_header

from accord.core.api import ServiceError
from accord.documents.selectors import access_version
from accord.documents.services import version_pdf


@login_required
def version_download(
    request: HttpRequest, case_no: str, version_uuid: UUID, sealed: bool = False
) -> HttpResponseBase:
    """One version's PDF (``sealed``: the organization's sealed copy)."""
    version = access_version(user=request.user, case_no=case_no, version_uuid=version_uuid)
    try:
        pdf = version_pdf(version, sealed=sealed)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", case_no=case_no)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{case_no}-{version.document.kind}-v{version.number}{'-sealed' if sealed else ''}.pdf"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
