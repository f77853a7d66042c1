"""Pages of neutral evaluation: the expert's list and the evaluation page (declaration,
dossier, report), asking for one, appointing and replacing the expert, cancelling, the
report's PDF, the administrators' list. Parse, authorize through the selectors (404 for what
is not yours), call one service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import User
from accord.cases.forms import add_service_error
from accord.cases.selectors import access_case
from accord.core.api import ServiceError
from accord.evaluation import selectors, services
from accord.evaluation.forms import (
    AppointForm,
    DeclarationForm,
    ReasonForm,
    ReportForm,
    RequestForm,
)
from accord.evaluation.models import Evaluation, EvaluationStatus
from accord.orgs.selectors import access_org_for_admin

CONFLICT_CODE = "expert_conflict"


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _detail_context(evaluation: Evaluation, user: User, **forms: Any) -> dict[str, Any]:
    """What the evaluation page shows ``user``: the declared expert the dossier and the report
    form; an expert still to declare the parties' names and the declaration; administrators
    the appointments and their actions; everyone who sees the case the request and the
    delivered report."""
    case = evaluation.case
    viewer = selectors.viewer_of(evaluation, user)
    declared = viewer.declared
    sees_case = viewer.sees_case
    is_admin = viewer.is_admin
    live = selectors.live_appointment(evaluation)
    draft = (
        evaluation.report.current
        if declared and evaluation.report is not None and evaluation.delivered_version is None
        else None
    )
    writing = declared and evaluation.status == EvaluationStatus.IN_PROGRESS
    return {
        "evaluation": evaluation,
        "case": case,
        "sees_case": sees_case,
        "appointment": viewer.appointment,
        "awaiting_declaration": viewer.awaiting_declaration,
        "declared": declared,
        "dossier": selectors.dossier(case) if declared else None,
        "declaration_form": forms.get("declaration_form") or DeclarationForm(),
        "decline_form": forms.get("decline_form") or ReasonForm(auto_id="decline_%s"),
        "writing": writing,
        "draft": draft,
        "report_form": forms.get("report_form")
        or ReportForm(initial=ReportForm.initial_from(draft.fields if draft else None)),
        "is_admin": is_admin,
        "appointments": list(selectors.appointments_of(evaluation)) if is_admin else [],
        "live_appointment": live if (is_admin or sees_case) else None,
        "may_appoint": is_admin and evaluation.status == EvaluationStatus.REQUESTED,
        "may_replace": is_admin and evaluation.is_open and live is not None,
        "cancel_form": forms.get("cancel_form") or ReasonForm(auto_id="cancel_%s"),
        "may_cancel": is_admin and evaluation.is_open,
        # Before the declaration the expert learns who the parties are, nothing else.
        "shows_request": viewer.reads_request,
        "report": evaluation.delivered_version if (sees_case or declared) else None,
    }


def _evaluation(request: HttpRequest, evaluation_uuid: UUID) -> Evaluation:
    return selectors.access_evaluation(user=_user(request), evaluation_uuid=evaluation_uuid)


def _render_detail(
    request: HttpRequest, evaluation: Evaluation, status: int = 200, **forms: Any
) -> HttpResponse:
    context = _detail_context(evaluation, _user(request), **forms)
    return render(request, "evaluation/detail.html", context, status=status)


@login_required
def my_evaluations(request: HttpRequest) -> HttpResponse:
    """An independent expert's landing: the evaluations they were appointed to."""
    appointments = selectors.appointments_for_expert(_user(request))
    return render(request, "evaluation/my_evaluations.html", {"appointments": appointments})


@login_required
def detail(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    return _render_detail(request, _evaluation(request, evaluation_uuid))


@login_required
@require_http_methods(["GET", "POST"])
def request_evaluation(request: HttpRequest, case_no: str) -> HttpResponse:
    """The organization (administrator, mediator) or the institution asks for one."""
    user = _user(request)
    case = access_case(user=user, case_no=case_no)
    side = selectors.requesting_side(case, user)
    if side is None:
        raise PermissionDenied
    form = RequestForm(request.POST or None, grounds=selectors.grounds_for(side))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                evaluation = services.evaluation_request(
                    case=case,
                    user=user,
                    ground=form.cleaned_data["ground"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The neutral evaluation was asked for."))
                return redirect("evaluation:detail", evaluation_uuid=evaluation.uuid)
        else:
            status = 400
    context = {"case": case, "form": form}
    return render(request, "evaluation/request.html", context, status=status)


def _override_offered(error: ServiceError | None, data: Any) -> bool:
    checked = data is not None and str(data.get("override", "")).lower() in ("on", "true", "1")
    return (error is not None and error.code == CONFLICT_CODE) or checked


@login_required
@require_http_methods(["GET", "POST"])
def appoint(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    """An administrator appoints the expert, or replaces the one appointed."""
    user = _user(request)
    evaluation = _evaluation(request, evaluation_uuid)
    case = evaluation.case
    if not selectors.may_administer(case, user):
        raise PermissionDenied
    current = selectors.live_appointment(evaluation)
    replacing = current is not None
    experts = selectors.experts_of(organization=case.organization)
    data = request.POST if request.method == "POST" else None

    def make_form(error: ServiceError | None = None) -> AppointForm:
        return AppointForm(
            data,
            experts=experts,
            replacing=replacing,
            offer_override=_override_offered(error, data),
        )

    form = make_form()
    status = 200
    if data is not None:
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                if replacing:
                    services.evaluation_replace_expert(
                        evaluation=evaluation,
                        user=user,
                        expert=cleaned["expert"],
                        reason=cleaned["reason"],
                        override=cleaned["override"],
                        override_reason=cleaned["override_reason"],
                    )
                else:
                    services.evaluation_appoint_expert(
                        evaluation=evaluation,
                        user=user,
                        expert=cleaned["expert"],
                        override=cleaned["override"],
                        override_reason=cleaned["override_reason"],
                    )
            except ServiceError as exc:
                status = exc.http_status
                form = make_form(exc)
                form.is_valid()
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The expert was replaced.") if replacing else _("The expert was appointed."),
                )
                return redirect("evaluation:detail", evaluation_uuid=evaluation.uuid)
        else:
            status = 400
    context = {
        "evaluation": evaluation,
        "case": case,
        "form": form,
        "current": current,
        "replacing": replacing,
    }
    return render(request, "evaluation/appoint.html", context, status=status)


def _own_appointment(evaluation: Evaluation, user: User) -> Any:
    appointment = selectors.appointment_of(evaluation, user)
    if appointment is None:
        raise PermissionDenied
    return appointment


@login_required
@require_POST
def declare(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    user = _user(request)
    evaluation = _evaluation(request, evaluation_uuid)
    appointment = _own_appointment(evaluation, user)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_declare_independence(
                appointment=appointment,
                user=user,
                declaration=form.cleaned_data["declaration"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            return _render_detail(request, evaluation, exc.http_status, declaration_form=form)
        messages.success(request, _("Your independence declaration was recorded."))
        return redirect("evaluation:detail", evaluation_uuid=evaluation.uuid)
    return _render_detail(request, evaluation, 400, declaration_form=form)


@login_required
@require_POST
def decline(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    user = _user(request)
    evaluation = _evaluation(request, evaluation_uuid)
    appointment = _own_appointment(evaluation, user)
    form = ReasonForm(request.POST, auto_id="decline_%s")
    if form.is_valid():
        try:
            services.appointment_decline(
                appointment=appointment, user=user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            return _render_detail(request, evaluation, exc.http_status, decline_form=form)
        messages.success(request, _("You declined the evaluation."))
        return redirect("evaluation:mine")
    return _render_detail(request, evaluation, 400, decline_form=form)


@login_required
@require_POST
def draft_report(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    user = _user(request)
    evaluation = _evaluation(request, evaluation_uuid)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.evaluation_report_draft(
                evaluation=evaluation, user=user, report=form.to_input()
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            return _render_detail(request, evaluation, exc.http_status, report_form=form)
        messages.success(
            request, _("The draft report was made: read it, then deliver it to the parties.")
        )
        return redirect("evaluation:detail", evaluation_uuid=evaluation.uuid)
    return _render_detail(request, evaluation, 400, report_form=form)


@login_required
@require_POST
def deliver_report(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    user = _user(request)
    evaluation = _evaluation(request, evaluation_uuid)
    try:
        services.evaluation_report_deliver(evaluation=evaluation, user=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report was delivered to the parties."))
    return redirect("evaluation:detail", evaluation_uuid=evaluation.uuid)


@login_required
@require_POST
def cancel(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    user = _user(request)
    evaluation = _evaluation(request, evaluation_uuid)
    form = ReasonForm(request.POST, auto_id="cancel_%s")
    if form.is_valid():
        try:
            services.evaluation_cancel(
                evaluation=evaluation, user=user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            return _render_detail(request, evaluation, exc.http_status, cancel_form=form)
        messages.success(request, _("The evaluation was cancelled."))
        return redirect("evaluation:detail", evaluation_uuid=evaluation.uuid)
    return _render_detail(request, evaluation, 400, cancel_form=form)


@login_required
def report_pdf(request: HttpRequest, evaluation_uuid: UUID) -> HttpResponse:
    """The delivered report (or, for the declared expert, the latest draft); traced."""
    user = _user(request)
    evaluation = _evaluation(request, evaluation_uuid)
    reader = selectors.sees_case(evaluation.case, user)
    if not (reader or selectors.is_declared_expert(evaluation, user)):
        raise PermissionDenied
    try:
        version, data = services.evaluation_report_open(evaluation=evaluation, user=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:detail", evaluation_uuid=evaluation.uuid)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"{evaluation.case.case_no}-evaluation-v{version.number}.pdf"
    disposition = content_disposition_header(as_attachment=False, filename=name)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def org_overview(request: HttpRequest, code: str) -> HttpResponse:
    """An administrator's list: the organization's open evaluations, oldest first."""
    organization = access_org_for_admin(request.user, code)
    context = {
        "organization": organization,
        "evaluations": selectors.waiting_for_expert(organization),
    }
    return render(request, "evaluation/org_overview.html", context)
