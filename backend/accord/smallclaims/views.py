"""Small-claim pages: the memoranda (institution staff, organization administrators), the
mediator's proposal form and the proposal page with the applicant's Accept / Refuse. Thin:
parse, authorize (404 for what is not yours), call one service."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.selectors import access_case, case_parties
from accord.cases.states import Party
from accord.core.api import ServiceError
from accord.orgs.models import MEDIATION_KINDS, Organization, OrgKind
from accord.smallclaims.eligibility import eligibility_of
from accord.smallclaims.forms import MemorandumForm, ProposalForm, RefuseForm
from accord.smallclaims.models import Memorandum, Proposal
from accord.smallclaims.selectors import (
    institutions_of,
    may_manage_memoranda,
    mediation_orgs_of,
    memoranda_for,
    memorandum_for,
)
from accord.smallclaims.services.memoranda import (
    memorandum_create,
    memorandum_delete,
    memorandum_update,
)
from accord.smallclaims.services.proposals import (
    is_expired,
    proposal_accept,
    proposal_issue,
    proposal_refuse,
)

ANCHOR = "small-claim"


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _case_page(case: Case) -> HttpResponse:
    return redirect(reverse("cases:detail", kwargs={"case_no": case.case_no}) + f"#{ANCHOR}")


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    messages.error(request, " ".join([exc.message, *(str(d) for d in details)]))


def _manager(request: HttpRequest) -> User:
    user = _user(request)
    if not may_manage_memoranda(user):
        raise Http404
    return user


# --- Memoranda ----------------------------------------------------------------------------


@login_required
@require_GET
def memoranda(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    return render(request, "smallclaims/memoranda.html", {"memoranda": list(memoranda_for(user))})


def _counterparties(user: User) -> tuple[QuerySet[Organization], QuerySet[Organization]]:
    """The organizations and institutions ``user`` may enter a memorandum for: their own side
    fixed, any active counterparty on the other."""
    own_orgs = mediation_orgs_of(user)
    own_institutions = institutions_of(user)
    all_orgs = Organization.objects.filter(is_active=True, kind__in=list(MEDIATION_KINDS))
    all_institutions = Organization.objects.filter(
        is_active=True, kind=OrgKind.FINANCIAL_INSTITUTION
    )
    organizations = all_orgs if own_institutions.exists() else own_orgs
    institutions = all_institutions if own_orgs.exists() else own_institutions
    return organizations.order_by("name"), institutions.order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def memorandum_new(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    organizations, institutions = _counterparties(user)
    form = MemorandumForm(
        request.POST if request.method == "POST" else None,
        organizations=organizations,
        institutions=institutions,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                memorandum_create(
                    organization=form.cleaned_data["organization"],
                    institution=form.cleaned_data["institution"],
                    data=form.memorandum_input(),
                    by=user,
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The memorandum was recorded."))
                return redirect("smallclaims:memoranda")
    context = {"form": form, "memorandum": None}
    return render(request, "smallclaims/memorandum_form.html", context, status=status)


def _memorandum(request: HttpRequest, pk: int) -> tuple[User, Memorandum]:
    user = _manager(request)
    memorandum = memorandum_for(user, pk)
    if memorandum is None:
        raise Http404
    return user, memorandum


@login_required
@require_http_methods(["GET", "POST"])
def memorandum_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, memorandum = _memorandum(request, pk)
    form = MemorandumForm(
        request.POST if request.method == "POST" else None,
        initial=MemorandumForm.initial_of(memorandum),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                memorandum_update(memorandum=memorandum, data=form.memorandum_input(), by=user)
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The memorandum was saved."))
                return redirect("smallclaims:memoranda")
    context = {"form": form, "memorandum": memorandum}
    return render(request, "smallclaims/memorandum_form.html", context, status=status)


@login_required
@require_POST
def memorandum_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, memorandum = _memorandum(request, pk)
    try:
        memorandum_delete(memorandum=memorandum, by=user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The memorandum was deleted."))
    return redirect("smallclaims:memoranda")


# --- Proposals ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = access_case(user=user, case_no=case_no)
    form = ProposalForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                proposal_issue(case=case, user=user, data=form.proposal_input())
            except ServiceError as exc:
                if "grounds" in exc.fields:
                    exc.fields = {"ground_kind_0": exc.fields["grounds"]} | {
                        k: v for k, v in exc.fields.items() if k != "grounds"
                    }
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(
                    request, _("The proposal was issued; the applicant is asked to answer.")
                )
                return _case_page(case)
    context = {"case": case, "form": form, "eligibility": eligibility_of(case)}
    return render(request, "smallclaims/proposal_form.html", context, status=status)


def _proposal(request: HttpRequest, proposal_uuid: UUID) -> tuple[User, Proposal]:
    user = _user(request)
    proposal = (
        Proposal.objects.select_related("case", "document_version", "memorandum", "agreement")
        .filter(uuid=proposal_uuid)
        .first()
    )
    if proposal is None:
        raise Http404
    access_case(user=user, case_no=proposal.case.case_no)
    return user, proposal


@login_required
@require_GET
def proposal_detail(request: HttpRequest, proposal_uuid: UUID) -> HttpResponse:
    user, proposal = _proposal(request, proposal_uuid)
    expired = is_expired(proposal)
    applicant = Party.APPLICANT in case_parties(case=proposal.case, user=user)
    context = {
        "case": proposal.case,
        "proposal": proposal,
        "may_answer": applicant and proposal.is_open and not expired,
        "refuse_form": RefuseForm(),
    }
    return render(request, "smallclaims/proposal.html", context)


@login_required
@require_POST
def proposal_accept_view(request: HttpRequest, proposal_uuid: UUID) -> HttpResponse:
    user, proposal = _proposal(request, proposal_uuid)
    try:
        proposal_accept(proposal=proposal, user=user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("You accepted the proposal. It binds every party; the agreement awaits signing."),
        )
    return _case_page(proposal.case)


@login_required
@require_POST
def proposal_refuse_view(request: HttpRequest, proposal_uuid: UUID) -> HttpResponse:
    user, proposal = _proposal(request, proposal_uuid)
    form = RefuseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        proposal_refuse(proposal=proposal, user=user, reason=reason)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("You refused the proposal. It binds nobody; the mediation goes on.")
        )
    return _case_page(proposal.case)
