"""Case pages: parse, authorize (through selectors: 404 for what is not yours),
call one service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import User
from accord.cases import selectors, services
from accord.cases.forms import (
    AnswerForm,
    ApplicationForm,
    CaseFilterForm,
    ComplexityForm,
    ConsultationForm,
    MaterialForm,
    MaterialsSignedForm,
    ReferralForm,
    TransitionForm,
    add_service_error,
)
from accord.cases.listing import filter_cases, state_counts
from accord.cases.models import (
    Case,
    CaseComplexity,
    CaseState,
    ConsultationStatus,
    ConsultationTopic,
    IntakeChannel,
)
from accord.cases.procedure_page import procedure_context
from accord.cases.states import (
    ACTION_LABELS,
    CONFIRM_QUESTIONS,
    CONFIRM_REQUIRED,
    OPEN_STATES,
    REASON_REQUIRED,
    REFUSING,
    Party,
)
from accord.core.api import ServiceError
from accord.orgs.models import OrgKind, Role
from accord.orgs.selectors import has_role, organizations_where


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _submitted(request: HttpRequest, case: Case) -> None:
    message = _("Your application %(case_no)s was submitted.") % {"case_no": case.case_no}
    messages.success(request, message)


CASES_PER_PAGE = 25
AUDIT_PREVIEW = 5


def _case_list_context(request: HttpRequest, cases: QuerySet[Case]) -> dict[str, Any]:
    """Filters, counts per state and one page of ``cases`` (already limited to what the
    user may see), from the query string: ``q``, ``state``, ``channel``, ``page``."""
    form = CaseFilterForm(request.GET)
    case_filter = form.to_filter()
    page = Paginator(filter_cases(cases, case_filter), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    kept = request.GET.copy()
    kept.pop("page", None)
    without_state = kept.copy()
    without_state.pop("state", None)
    return {
        "filter_form": form,
        "case_filter": case_filter,
        "page_obj": page,
        "cases": page.object_list,
        "state_counts": [c for c in state_counts(cases, case_filter) if c.count],
        "query_without_page": kept.urlencode(),
        "query_without_state": without_state.urlencode(),
    }


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """Where everyone lands after signing in: their cases, and what they may audit."""
    user = _user(request)
    cases = selectors.case_list_for_user(user=user)
    audited = selectors.case_list_for_audit(user=user).exclude(pk__in=cases.values("pk"))
    context = _case_list_context(request, cases)
    context.update(
        has_cases=cases.exists(),
        audit_preview=list(audited.order_by("-created_at", "-id")[:AUDIT_PREVIEW]),
        audit_count=audited.count(),
        consultations=selectors.consultation_list_for_user(user=user),
        may_refer=has_role(user, Role.REGULATOR_OFFICER),
        incoming_transfers=[
            (transfer, selectors.transfer_due(transfer=transfer))
            for transfer in selectors.transfers_waiting_for(user=user)
        ],
    )
    return render(request, "cases/my_cases.html", context)


@login_required
def audit_cases(request: HttpRequest) -> HttpResponse:
    """The cases the user may audit (auditors, holders of a replay grant), read only."""
    user = _user(request)
    cases = selectors.case_list_for_audit(user=user)
    context = _case_list_context(request, cases)
    context["has_cases"] = cases.exists()
    return render(request, "cases/audit_cases.html", context)


def _applicant_initial(user: User) -> dict[str, Any]:
    return {"applicant_name": user.display_name, "applicant_phone": user.phone or ""}


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApplicationForm(request.POST or None, initial=_applicant_initial(user))
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_apply(applicant=user, application=form.to_application())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            _submitted(request, case)
            return redirect("cases:detail", case_no=case.case_no)
    return render(request, "cases/apply.html", {"form": form, "consultation": None})


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    """Regulator assignment: an officer refers a complaint to a mediation organization."""
    user = _user(request)
    regulators = organizations_where(user, Role.REGULATOR_OFFICER).filter(kind=OrgKind.REGULATOR)
    if not regulators.exists():
        raise PermissionDenied
    form = ReferralForm(request.POST or None, regulators=regulators)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_assign_by_regulator(
                officer=user,
                regulator=form.cleaned_data["regulator"],
                application=form.to_application(),
                complaint_reference=form.cleaned_data["complaint_reference"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            message = _("Complaint referred as case %(case_no)s.") % {"case_no": case.case_no}
            messages.success(request, message)
            return redirect("cases:detail", case_no=case.case_no)
    return render(request, "cases/refer.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consult(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    topic = request.GET.get("topic", "")
    initial = {
        "topic": topic if topic in ConsultationTopic.values else ConsultationTopic.CONSULTATION,
        "contact_name": user.display_name,
        "contact_phone": user.phone or "",
    }
    form = ConsultationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.consultation_create(
                asker=user,
                topic=data["topic"],
                organization=data["organization"],
                respondent=data["respondent"],
                business_type=data["business_type"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                amount=data["amount"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your question was sent. We will answer it here."))
            return redirect("cases:consultation", consultation_id=consultation.pk)
    return render(request, "cases/consult.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = _user(request)
    consultation = selectors.access_consultation(user=user, consultation_id=consultation_id)
    may_answer = selectors.may_answer_consultation(consultation=consultation, user=user)
    form = AnswerForm(request.POST or None, initial={"answer": consultation.answer})
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.consultation_answer(
                    consultation=consultation, user=user, answer=form.cleaned_data["answer"]
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The answer was saved."))
                return redirect("cases:consultation", consultation_id=consultation.pk)
    case = Case.objects.filter(consultation=consultation).only("case_no").first()
    visible_case = (
        case
        if case and selectors.case_list_for_user(user=user).filter(pk=case.pk).exists()
        else None
    )
    return render(
        request,
        "cases/consultation_detail.html",
        {
            "consultation": consultation,
            "answer_form": form if may_answer else None,
            "may_convert": consultation.asker_id == user.pk
            and consultation.status != ConsultationStatus.CONVERTED,
            "case": visible_case,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_convert(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The prefilled application: the asker confirms or completes it."""
    user = _user(request)
    consultation = selectors.access_consultation(user=user, consultation_id=consultation_id)
    if consultation.asker_id != user.pk:
        raise PermissionDenied
    draft = selectors.consultation_application_draft(consultation=consultation)
    form = ApplicationForm(request.POST or None, initial=ApplicationForm.initial_from(draft))
    if request.method == "POST" and form.is_valid():
        try:
            case = services.consultation_convert_to_case(
                consultation=consultation, user=user, application=form.to_application()
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            _submitted(request, case)
            return redirect("cases:detail", case_no=case.case_no)
    return render(request, "cases/apply.html", {"form": form, "consultation": consultation})


def _action(to: CaseState) -> dict[str, Any]:
    """One button of the case page: named for what it does, asking again when it ends
    or refuses something."""
    return {
        "to": to,
        "label": ACTION_LABELS[to],
        "question": CONFIRM_QUESTIONS.get(to, ""),
        "needs_confirmation": to in CONFIRM_REQUIRED,
        "refusing": to in REFUSING,
        "needs_reason": to in REASON_REQUIRED,
        "needs_mediator": to == CaseState.ASSIGNED,
        "needs_complexity": to == CaseState.ACCEPTED,
    }


def _detail_context(case: Case, user: User, *, read_only: bool = False) -> dict[str, Any]:
    """The case page. ``read_only``: the user audits the case and is no party to it."""
    allowed = [] if read_only else selectors.case_allowed_transitions(case=case, user=user)
    mediators = selectors.mediators_of(organization=case.organization)
    actions = [_action(to) for to in allowed]
    return {
        "case": case,
        "timeline": selectors.case_timeline(case=case),
        "evidence": selectors.materials_of_case(case=case),
        "actions": actions,
        "mediators": mediators,
        "read_only": read_only,
        "may_upload": not read_only and case.state in OPEN_STATES,
        "may_sign_materials": not read_only
        and case.channel == IntakeChannel.COURT
        and case.materials_signed_on is None
        and Party.ORG_ADMIN in selectors.case_parties(case=case, user=user),
        "materials_form": MaterialsSignedForm(),
        "material_form": MaterialForm(),
        "complexity_choices": CaseComplexity.choices,
        "may_change_complexity": not read_only
        and bool(case.complexity)
        and case.state in (CaseState.ACCEPTED, CaseState.ASSIGNED, CaseState.MEDIATING)
        and Party.ORG_ADMIN in selectors.case_parties(case=case, user=user),
        "complexity_form": ComplexityForm(initial={"complexity": case.complexity}),
        # The institution's answer, the applicant's contact details, transfers.
        **procedure_context(case, user, read_only=read_only),
    }


@login_required
def detail(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case, read_only = selectors.access_case_for_reading(user=user, case_no=case_no)
    return render(request, "cases/detail.html", _detail_context(case, user, read_only=read_only))


def _assign_failed(form: TransitionForm, error: ServiceError) -> dict[str, Any]:
    """What the "Assign a mediator" form shows again after a refusal: the mediator chosen,
    the refusal on the mediator field and, once a declared conflict refused the mediator
    (``mediator_conflict``), the override with its required reason."""
    data = form.cleaned_data
    mediator = data.get("mediator")
    return {
        "mediator": mediator.pk if mediator is not None else None,
        "mediator_errors": error.fields.get("mediator", []),
        "offer_override": error.code == "mediator_conflict" or bool(data.get("override")),
        "override": bool(data.get("override")),
        "override_reason": data.get("override_reason", ""),
        "override_reason_errors": error.fields.get("override_reason", []),
    }


@login_required
@require_POST
def transition(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    form = TransitionForm(request.POST, mediators=User.objects.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, _("The change could not be made: the form was incomplete."))
        return redirect("cases:detail", case_no=case.case_no)
    to = CaseState(form.cleaned_data["to"])
    if (
        to in CONFIRM_REQUIRED
        and not form.cleaned_data["confirmed"]
        and to in selectors.case_allowed_transitions(case=case, user=user)
    ):
        # Without the in-page confirmation (no <details> support, a stale page): ask on a
        # page. A move the user may not make is left to the service to refuse.
        context = {"case": case, "action": _action(to), "form": form}
        return render(request, "cases/confirm_transition.html", context)
    try:
        services.case_transition(
            case=case,
            user=user,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            mediator=form.cleaned_data["mediator"],
            override=form.cleaned_data["override"],
            override_reason=form.cleaned_data["override_reason"],
            complexity=form.cleaned_data["complexity"] or CaseComplexity.NORMAL,
        )
    except ServiceError as exc:
        details = [m for ms in exc.fields.values() for m in ms if m != exc.message]
        messages.error(request, " ".join([exc.message, *details]))
        status = exc.http_status
        context = _detail_context(case, user)
        if to == CaseState.ASSIGNED:
            context["assign_failed"] = _assign_failed(form, exc)
        return render(request, "cases/detail.html", context, status=status)
    state = case.get_state_display()
    messages.success(request, _("The case is now: %(state)s.") % {"state": state})
    return redirect("cases:detail", case_no=case.case_no)


@login_required
@require_POST
def sign_materials(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    form = MaterialsSignedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the materials were signed for."))
        return redirect("cases:detail", case_no=case.case_no)
    try:
        services.case_sign_for_materials(
            case=case, user=user, signed_on=form.cleaned_data["signed_on"]
        )
    except ServiceError as exc:
        details = [m for messages_ in exc.fields.values() for m in messages_]
        messages.error(request, " ".join([exc.message, *details]))
    else:
        messages.success(request, _("The signing for the court's materials was recorded."))
    return redirect("cases:detail", case_no=case.case_no)


@login_required
@require_POST
def material_upload(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    form = MaterialForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.material_upload(
                case=case, user=user, name=upload.name or "", stream=upload, size=upload.size
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("The evidence was uploaded."))
            return redirect("cases:detail", case_no=case.case_no)
    context = _detail_context(case, user)
    context["material_form"] = form
    return render(request, "cases/detail.html", context, status=status)


@login_required
def material_download(request: HttpRequest, case_no: str, evidence_uuid: UUID) -> HttpResponseBase:
    user = _user(request)
    evidence = selectors.access_material(user=user, case_no=case_no, evidence_uuid=evidence_uuid)
    try:
        chunks = services.material_open(evidence=evidence, user=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", case_no=case_no)
    response = StreamingHttpResponse(chunks, content_type=evidence.content_type)
    response["Content-Length"] = str(evidence.size)
    disposition = content_disposition_header(as_attachment=True, filename=evidence.name)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def change_complexity(request: HttpRequest, case_no: str) -> HttpResponse:
    """An administrator changes an accepted case's complexity, with a reason (R11)."""
    user = _user(request)
    case = selectors.access_case(user=user, case_no=case_no)
    form = ComplexityForm(request.POST)
    if not form.is_valid():
        errors = [str(m) for ms in form.errors.values() for m in ms]
        messages.error(request, " ".join(errors))
        return redirect("cases:detail", case_no=case.case_no)
    try:
        services.case_set_complexity(
            case=case,
            user=user,
            complexity=form.cleaned_data["complexity"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The complexity was changed; the time limit follows it."))
    return redirect("cases:detail", case_no=case.case_no)
