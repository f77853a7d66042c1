"""The court clerks' and the notaries' pages, linked in their navigation: what was sent to
their court or office, each item's own page (not the whole case), its documents and the form
that records the outcome. Thin: parse, authorize (404 for what is not theirs), call one
service."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.core.api import ServiceError
from accord.documents.models import DocumentVersion
from accord.outcomes import services
from accord.outcomes.drafting import pdf_bytes
from accord.outcomes.forms import ConfirmationOutcomeForm, NotarizationOutcomeForm
from accord.outcomes.selectors import (
    access_court_confirmation,
    access_court_referral,
    access_notary_referral,
    court_confirmations,
    court_referrals,
    is_court_clerk,
    is_notary,
    notary_referrals,
)
from accord.outcomes.services.failure import failure_notice_accessed
from accord.outcomes.views import package_response

STAFF_SIGNIN = "accounts:staff_signin"


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _pdf(version: DocumentVersion, name: str) -> HttpResponse:
    response = HttpResponse(pdf_bytes(version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- Court clerks ---------------------------------------------------------------------------


@login_required(login_url=STAFF_SIGNIN)
@require_GET
def court_index(request: HttpRequest) -> HttpResponse:
    """The court's desk: applications for judicial confirmation and litigation referrals;
    403 for anyone who is no court's clerk."""
    user = _user(request)
    if not is_court_clerk(user):
        raise PermissionDenied
    context = {
        "applications": list(court_confirmations(user)),
        "referrals": list(court_referrals(user)),
    }
    return render(request, "outcomes/court_index.html", context)


@login_required(login_url=STAFF_SIGNIN)
@require_http_methods(["GET", "POST"])
def court_confirmation(request: HttpRequest, uuid: UUID) -> HttpResponse:
    application = access_court_confirmation(_user(request), uuid)
    form = ConfirmationOutcomeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.confirmation_record_outcome(
                    application=application,
                    user=_user(request),
                    outcome=form.cleaned_data["outcome"],
                    ruling_no=form.cleaned_data["ruling_no"],
                    reason=form.cleaned_data["reason"],
                    decided_on=form.cleaned_data["decided_on"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The court's ruling was recorded."))
                return redirect(reverse("outcomes:court_confirmation", kwargs={"uuid": uuid}))
    context = {"application": application, "case": application.case, "form": form}
    return render(request, "outcomes/court_confirmation.html", context, status=status)


@login_required(login_url=STAFF_SIGNIN)
@require_GET
def court_package(request: HttpRequest, uuid: UUID) -> HttpResponse | StreamingHttpResponse:
    return package_response(request, access_court_confirmation(_user(request), uuid))


@login_required(login_url=STAFF_SIGNIN)
@require_GET
def court_referral(request: HttpRequest, case_no: str) -> HttpResponse:
    failure = access_court_referral(_user(request), case_no)
    return render(
        request, "outcomes/court_referral.html", {"failure": failure, "case": failure.case}
    )


@login_required(login_url=STAFF_SIGNIN)
@require_GET
def court_referral_notice(request: HttpRequest, case_no: str) -> HttpResponse:
    failure = access_court_referral(_user(request), case_no)
    failure_notice_accessed(failure=failure, user=_user(request))
    return _pdf(failure.notice, f"failure-notice-{case_no}.pdf")


# --- Notaries -------------------------------------------------------------------------------


@login_required(login_url=STAFF_SIGNIN)
@require_GET
def notary_index(request: HttpRequest) -> HttpResponse:
    """The notary office's desk: the agreements referred to it; 403 for anyone who is no
    office's notary."""
    user = _user(request)
    if not is_notary(user):
        raise PermissionDenied
    return render(
        request, "outcomes/notary_index.html", {"referrals": list(notary_referrals(user))}
    )


@login_required(login_url=STAFF_SIGNIN)
@require_http_methods(["GET", "POST"])
def notary_referral(request: HttpRequest, uuid: UUID) -> HttpResponse:
    found = access_notary_referral(_user(request), uuid)
    form = NotarizationOutcomeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.notarization_record_outcome(
                    request=found,
                    user=_user(request),
                    outcome=form.cleaned_data["outcome"],
                    certificate_no=form.cleaned_data["certificate_no"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The outcome was recorded."))
                return redirect(reverse("outcomes:notary_referral", kwargs={"uuid": uuid}))
    context = {"notarization": found, "case": found.case, "form": form}
    return render(request, "outcomes/notary_referral.html", context, status=status)


@login_required(login_url=STAFF_SIGNIN)
@require_GET
def notary_document(request: HttpRequest, uuid: UUID, role: str) -> HttpResponse:
    """The referral letter or the sealed agreement of a referral (the access traced)."""
    found = access_notary_referral(_user(request), uuid)
    versions = {"referral": found.referral, "agreement": found.agreement.version}
    version = versions.get(role)
    if version is None:
        raise Http404
    services.notarization_document_accessed(
        request=found, user=_user(request), role=role, version=version
    )
    return _pdf(version, f"{role}-{found.case.case_no}.pdf")
