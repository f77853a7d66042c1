"""Deadline pages: the overdue list for administrators, asking for an extension, the parties'
consent, applying it, the court's period. Thin: parse, authorize (404 for what is not
yours), call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.selectors import access_case
from accord.core.api import ServiceError
from accord.deadlines import extensions, services
from accord.deadlines.extensions import outside_trial_period
from accord.deadlines.forms import CourtPeriodForm, ExtensionAnswerForm, ExtensionRequestForm
from accord.deadlines.models import Deadline, DeadlineExtension
from accord.deadlines.selectors import (
    admin_organizations,
    deadline_of_case,
    extension_of_case,
    overdue_cutoff,
    overdue_deadlines,
)
from accord.orgs.models import Organization
from accord.orgs.selectors import access_org_for_admin


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _case_page(case: Case) -> HttpResponse:
    return redirect(reverse("cases:detail", kwargs={"case_no": case.case_no}) + "#time-limits")


def _deadline(request: HttpRequest, case_no: str, deadline_id: int) -> tuple[Case, Deadline]:
    case = access_case(user=_user(request), case_no=case_no)
    deadline = deadline_of_case(case, deadline_id)
    if deadline is None:
        raise Http404
    return case, deadline


def _extension(
    request: HttpRequest, case_no: str, extension_id: int
) -> tuple[Case, DeadlineExtension]:
    case = access_case(user=_user(request), case_no=case_no)
    extension = extension_of_case(case, extension_id)
    if extension is None:
        raise Http404
    return case, extension


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    messages.error(request, " ".join([exc.message, *details]))


@login_required(login_url="accounts:staff_signin")
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Every mediation organization the user administers; 403 for anyone else."""
    organizations = list(admin_organizations(_user(request)))
    if not organizations:
        raise PermissionDenied
    return _overdue_page(request, organizations, None)


@login_required(login_url="accounts:staff_signin")
@require_GET
def overdue_org(request: HttpRequest, code: str) -> HttpResponse:
    """One organization (404 unless the user administers it)."""
    organization = access_org_for_admin(request.user, code)
    if not organization.is_mediation_org:
        raise Http404
    organizations = list(admin_organizations(_user(request)))
    return _overdue_page(request, organizations, organization)


def _overdue_page(
    request: HttpRequest, organizations: list[Organization], organization: Organization | None
) -> HttpResponse:
    today = timezone.localdate()
    scope = [organization] if organization is not None else organizations
    context = {
        "organizations": organizations,
        "organization": organization,
        "deadlines": overdue_deadlines(organizations=scope, today=today),
        "today": today,
        "cutoff": overdue_cutoff(today),
    }
    return render(request, "deadlines/overdue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def extend(request: HttpRequest, case_no: str, deadline_id: int) -> HttpResponse:
    case, deadline = _deadline(request, case_no, deadline_id)
    form = ExtensionRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                extensions.extension_request(
                    deadline=deadline,
                    user=_user(request),
                    days=form.cleaned_data["days"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The parties were asked to consent."))
                return _case_page(case)
    context = {
        "case": case,
        "deadline": deadline,
        "form": form,
        "outside_trial_period": outside_trial_period(case),
    }
    return render(request, "deadlines/extend.html", context, status=status)


@login_required
@require_POST
def answer(request: HttpRequest, case_no: str, extension_id: int) -> HttpResponse:
    case, extension = _extension(request, case_no, extension_id)
    form = ExtensionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to consent or to refuse."))
        return _case_page(case)
    consents = form.cleaned_data["consents"] == "yes"
    try:
        extensions.extension_answer(
            extension=extension,
            user=_user(request),
            party=form.cleaned_data["party"],
            consents=consents,
        )
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Your consent was recorded.") if consents else _("Your refusal was recorded."),
        )
    return _case_page(case)


@login_required
@require_POST
def apply(request: HttpRequest, case_no: str, extension_id: int) -> HttpResponse:
    case, extension = _extension(request, case_no, extension_id)
    try:
        deadline = extensions.extension_apply(extension=extension, user=_user(request))
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The time limit now ends on %(due)s.") % {"due": deadline.due_on.isoformat()},
        )
    return _case_page(case)


@login_required
@require_http_methods(["GET", "POST"])
def court_period(request: HttpRequest, case_no: str, deadline_id: int) -> HttpResponse:
    case, deadline = _deadline(request, case_no, deadline_id)
    form = CourtPeriodForm(
        request.POST if request.method == "POST" else None,
        initial={"days": deadline.length_days},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.court_period_set(
                    deadline=deadline,
                    user=_user(request),
                    days=form.cleaned_data["days"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The court's period was saved."))
                return _case_page(case)
    context = {"case": case, "deadline": deadline, "form": form}
    return render(request, "deadlines/court_period.html", context, status=status)
