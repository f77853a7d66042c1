"""Outcome pages reached from the case page: confirming a performance, applying for judicial
confirmation and joining it, asking for notarization and consenting, the guarantor's consent
and the referral, the failure notice and the referral of a failed case. Thin: parse,
authorize (404 for what is not yours), call one service."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.selectors import access_case
from accord.core.api import ServiceError
from accord.outcomes import services
from accord.outcomes.forms import (
    ConfirmationApplyForm,
    FailureNoticeForm,
    FailureReferralForm,
    GuarantorConsentForm,
    NotarizationRequestForm,
    ObligationConfirmForm,
)
from accord.outcomes.models import ConfirmationApplication, SealedAgreement
from accord.outcomes.selectors import (
    agreement_of_case,
    confirmation_of_case,
    failure_of,
    notarization_of_case,
    obligation_of_case,
)


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _case(request: HttpRequest, case_no: str) -> Case:
    return access_case(user=_user(request), case_no=case_no)


def _case_page(case: Case, anchor: str) -> HttpResponse:
    return redirect(reverse("cases:detail", kwargs={"case_no": case.case_no}) + f"#{anchor}")


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    messages.error(request, " ".join([exc.message, *(str(d) for d in details)]))


def _agreement(case: Case, version: UUID) -> SealedAgreement:
    agreement = agreement_of_case(case, version)
    if agreement is None:
        raise Http404
    return agreement


@login_required
@require_POST
def obligation_confirm(request: HttpRequest, case_no: str, obligation_id: int) -> HttpResponse:
    case = _case(request, case_no)
    obligation = obligation_of_case(case, obligation_id)
    if obligation is None:
        raise Http404
    form = ObligationConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.obligation_confirm(obligation=obligation, user=_user(request), note=note)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The performance was recorded."))
    return _case_page(case, "after-agreement")


@login_required
@require_http_methods(["GET", "POST"])
def confirmation_apply(request: HttpRequest, case_no: str, version: UUID) -> HttpResponse:
    case = _case(request, case_no)
    agreement = _agreement(case, version)
    form = ConfirmationApplyForm(request.POST if request.method == "POST" else None, case=case)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.confirmation_apply(
                    agreement=agreement, user=_user(request), court=form.cleaned_data["court"]
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(
                    request, _("The application was made; the other party is asked to join.")
                )
                return _case_page(case, "judicial-confirmation")
    context = {"case": case, "agreement": agreement, "form": form}
    return render(request, "outcomes/confirmation_apply.html", context, status=status)


@login_required
@require_POST
def confirmation_consent(request: HttpRequest, case_no: str, uuid: UUID) -> HttpResponse:
    case = _case(request, case_no)
    application = confirmation_of_case(case, uuid)
    if application is None:
        raise Http404
    try:
        services.confirmation_consent(application=application, user=_user(request))
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("You joined the application; it was filed with the court."))
    return _case_page(case, "judicial-confirmation")


@login_required
@require_GET
def confirmation_package(
    request: HttpRequest, case_no: str, uuid: UUID
) -> HttpResponse | StreamingHttpResponse:
    case = _case(request, case_no)
    application = confirmation_of_case(case, uuid)
    if application is None:
        raise Http404
    return package_response(request, application)


def package_response(
    request: HttpRequest, application: ConfirmationApplication
) -> HttpResponse | StreamingHttpResponse:
    """The package as a download (the access traced first); used by the clerks' page too."""
    try:
        chunks = services.confirmation_package_open(application=application, user=_user(request))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain")
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="confirmation-{application.case.case_no}.zip"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notarization_request(request: HttpRequest, case_no: str, version: UUID) -> HttpResponse:
    case = _case(request, case_no)
    agreement = _agreement(case, version)
    form = NotarizationRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.notarization_request(
                    agreement=agreement,
                    user=_user(request),
                    notary_office=form.cleaned_data["notary_office"],
                    creditor=form.cleaned_data["creditor"],
                    guarantor_name=form.cleaned_data["guarantor_name"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The request was made; every party must consent."))
                return _case_page(case, "notarization")
    context = {"case": case, "agreement": agreement, "form": form}
    return render(request, "outcomes/notarization_request.html", context, status=status)


@login_required
@require_POST
def notarization_consent(request: HttpRequest, case_no: str, uuid: UUID) -> HttpResponse:
    case = _case(request, case_no)
    found = notarization_of_case(case, uuid)
    if found is None:
        raise Http404
    try:
        services.notarization_consent(request=found, user=_user(request))
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your consent was recorded."))
    return _case_page(case, "notarization")


@login_required
@require_http_methods(["GET", "POST"])
def notarization_guarantor(request: HttpRequest, case_no: str, uuid: UUID) -> HttpResponse:
    case = _case(request, case_no)
    found = notarization_of_case(case, uuid)
    if found is None:
        raise Http404
    form = GuarantorConsentForm(request.POST if request.method == "POST" else None, case=case)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.notarization_guarantor_consent(
                    request=found, user=_user(request), material=form.cleaned_data["material"]
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The guarantor's consent was recorded."))
                return _case_page(case, "notarization")
    context = {"case": case, "notarization": found, "form": form}
    return render(request, "outcomes/guarantor_consent.html", context, status=status)


@login_required
@require_POST
def notarization_refer(request: HttpRequest, case_no: str, uuid: UUID) -> HttpResponse:
    case = _case(request, case_no)
    found = notarization_of_case(case, uuid)
    if found is None:
        raise Http404
    try:
        services.notarization_refer(request=found, user=_user(request))
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The agreement was referred to the notary office."))
    return _case_page(case, "notarization")


@login_required
@require_http_methods(["GET", "POST"])
def failure_notice(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _case(request, case_no)
    form = FailureNoticeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.failure_notice_issue(
                    case=case,
                    user=_user(request),
                    advice=form.cleaned_data["advice"],
                    routes=form.cleaned_data["routes"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The failure notice was issued to the parties."))
                return _case_page(case, "after-failure")
    return render(
        request, "outcomes/failure_notice.html", {"case": case, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def failure_referral(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _case(request, case_no)
    failure = failure_of(case)
    if failure is None:
        raise Http404
    form = FailureReferralForm(
        request.POST if request.method == "POST" else None, routes=list(failure.routes)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.failure_refer(
                    case=case,
                    user=_user(request),
                    route=form.cleaned_data["route"],
                    to=form.cleaned_data["to"],
                    green_channel=form.cleaned_data["green_channel"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The referral was recorded."))
                return _case_page(case, "after-failure")
    context = {"case": case, "failure": failure, "form": form}
    return render(request, "outcomes/failure_referral.html", context, status=status)
