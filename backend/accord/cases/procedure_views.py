"""Pages for the institution's answer and for transfers: parse, authorize (through the
selectors: 404 for what is not yours), call one service, redirect or show the case page
again with the refusal on the form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.accounts.models import User
from accord.cases import selectors
from accord.cases.forms import (
    RespondentAnswerForm,
    TransferAcceptForm,
    TransferDeclineForm,
    TransferRequestForm,
    add_service_error,
)
from accord.cases.models import AnswerDecision, Case
from accord.cases.services.answers import case_answer
from accord.cases.services.transfers import (
    case_transfer_accept,
    case_transfer_decline,
    case_transfer_request,
)
from accord.cases.views import _detail_context
from accord.core.api import ServiceError


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _refused(
    request: HttpRequest, case: Case, user: User, name: str, form: forms.Form, status: int
) -> HttpResponse:
    """The case page again, ``form`` (with its errors) in place of the fresh one; when the
    page no longer offers that form (the user may not, or no longer may), the refusal is
    said at the top instead."""
    context = _detail_context(case, user)
    if context.get(name) is not None:
        context[name] = form
    else:
        errors = [str(m) for messages_ in form.errors.values() for m in messages_]
        messages.error(request, " ".join(dict.fromkeys(errors)))
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_POST
def answer(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    form = RespondentAnswerForm(request.POST, materials=selectors.institution_materials(case=case))
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_answer(
                case=case,
                user=user,
                decision=data["decision"],
                reasons=data["reasons"],
                position=data["position"],
                evidence=[item.uuid for item in data["evidence"]],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            if data["decision"] == AnswerDecision.AGREE:
                messages.success(request, _("The institution's agreement to mediate was recorded."))
            else:
                messages.success(request, _("The institution's refusal to mediate was recorded."))
            return redirect("cases:detail", case_no=case.case_no)
    return _refused(request, case, user, "answer_form", form, status)


@login_required
@require_POST
def transfer_request(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    form = TransferRequestForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            transfer = case_transfer_request(
                case=case,
                user=user,
                to_organization=form.cleaned_data["to_organization"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            message = _("The transfer to %(org)s was requested.") % {
                "org": transfer.to_organization.name
            }
            messages.success(request, message)
            return redirect("cases:detail", case_no=case.case_no)
    return _refused(request, case, user, "transfer_form", form, status)


@login_required
@require_POST
def transfer_accept(request: HttpRequest, case_no: str, transfer_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    transfer = selectors.access_transfer(user=user, case=case, transfer_id=transfer_id)
    form = TransferAcceptForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            case_transfer_accept(
                transfer=transfer,
                user=user,
                reason=form.cleaned_data["reason"],
                next_organization=form.cleaned_data["next_organization"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("The transfer was accepted."))
            if selectors.case_list_for_user(user=user).filter(pk=case.pk).exists():
                return redirect("cases:detail", case_no=case.case_no)
            return redirect("cases:my_cases")
    return _refused(request, case, user, "accept_transfer_form", form, status)


@login_required
@require_POST
def transfer_decline(request: HttpRequest, case_no: str, transfer_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    transfer = selectors.access_transfer(user=user, case=case, transfer_id=transfer_id)
    form = TransferDeclineForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            case_transfer_decline(transfer=transfer, user=user, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("The transfer was declined."))
            if selectors.case_list_for_user(user=user).filter(pk=case.pk).exists():
                return redirect("cases:detail", case_no=case.case_no)
            return redirect("cases:my_cases")
    return _refused(request, case, user, "decline_transfer_form", form, status)
