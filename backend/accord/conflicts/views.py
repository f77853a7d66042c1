"""Pages of conflicts: declared relationships (mediators, administrators), recusal (parties,
the mediator, administrators) and replacing a case's mediator. Parse, authorize through the
selectors (404 for what is not yours), call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.models import User
from accord.cases import services as case_services
from accord.cases.forms import add_service_error
from accord.cases.models import Case
from accord.cases.selectors import access_case
from accord.conflicts import selectors, services
from accord.conflicts.forms import (
    ReasonForm,
    RecusalApplicationForm,
    RecusalDecisionForm,
    RelationshipForm,
    ReplaceMediatorForm,
)
from accord.conflicts.matching import describe
from accord.conflicts.models import Relationship
from accord.core.api import ServiceError
from accord.orgs.models import Organization
from accord.orgs.selectors import access_org_for_admin

CONFLICT_CODE = "mediator_conflict"


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _offers_override(error: ServiceError | None, data: Any) -> bool:
    """Offer the override once a conflict refused the mediator (and keep offering it while
    the override is being filled in)."""
    return (error is not None and error.code == CONFLICT_CODE) or _checked(data)


def _checked(data: Any) -> bool:
    return data is not None and str(data.get("override", "")).lower() in ("on", "true", "1")


# --- Declared relationships ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_relationships(request: HttpRequest) -> HttpResponse:
    """A mediator's own declarations, and a form to declare one."""
    user = _user(request)
    organizations = selectors.mediator_organizations(user)
    form = RelationshipForm(request.POST or None, organizations=organizations)
    if request.method == "POST":
        organization = (
            form.cleaned_data.get("organization") if form.is_valid() else None
        ) or organizations.first()
        if organization is None:
            raise Http404(_("You are not a mediator of any organization."))
        if form.is_valid():
            try:
                services.relationship_declare(
                    mediator=user, organization=organization, by=user, data=form.to_input()
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The relationship was declared."))
                return redirect("conflicts:my_relationships")
    context = {
        "rows": selectors.rows(selectors.relationships_of_mediator(user)),
        "form": form,
        "may_declare": organizations.exists(),
    }
    return render(request, "conflicts/my_relationships.html", context)


def _back_from(relationship: Relationship, user: User) -> str:
    if relationship.mediator_id == user.pk:
        return "conflicts:my_relationships"
    return "conflicts:org_overview"


def _redirect_back(relationship: Relationship, user: User) -> HttpResponse:
    target = _back_from(relationship, user)
    if target == "conflicts:org_overview":
        return redirect(target, code=relationship.organization.code)
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def relationship_edit(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = _user(request)
    relationship = selectors.access_relationship(user=user, relationship_id=relationship_id)
    form = RelationshipForm(
        request.POST or None, initial=RelationshipForm.initial_from(relationship)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_update(relationship=relationship, by=user, data=form.to_input())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The relationship was corrected."))
            return _redirect_back(relationship, user)
    context = {
        "relationship": relationship,
        "text": describe(relationship),
        "form": form,
        "back": _back_from(relationship, user),
    }
    return render(request, "conflicts/relationship_edit.html", context)


@login_required
@require_POST
def relationship_withdraw(request: HttpRequest, relationship_id: int) -> HttpResponse:
    user = _user(request)
    relationship = selectors.access_relationship(user=user, relationship_id=relationship_id)
    try:
        services.relationship_withdraw(relationship=relationship, by=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The relationship was withdrawn."))
    return _redirect_back(relationship, user)


def _admin_org(request: HttpRequest, code: str) -> Organization:
    return access_org_for_admin(request.user, code)


@login_required
def org_overview(request: HttpRequest, code: str) -> HttpResponse:
    """An administrator's page: pending recusal applications with their due dates, recent
    decisions, and the relationships the organization's mediators declared."""
    organization = _admin_org(request, code)
    context = {
        "organization": organization,
        "pending": selectors.pending_recusals(organization),
        "recent": selectors.recent_recusals(organization),
        "rows": selectors.rows(selectors.relationships_of_organization(organization)),
    }
    return render(request, "conflicts/org_overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def org_declare(request: HttpRequest, code: str) -> HttpResponse:
    """An administrator declares a relationship of one of the organization's mediators (or
    independent experts)."""
    user = _user(request)
    organization = _admin_org(request, code)
    form = RelationshipForm(request.POST or None, mediators=selectors.declarants_of(organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_declare(
                mediator=form.cleaned_data["mediator"],
                organization=organization,
                by=user,
                data=form.to_input(),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The relationship was declared."))
            return redirect("conflicts:org_overview", code=organization.code)
    context = {"organization": organization, "form": form}
    return render(request, "conflicts/org_declare.html", context)


# --- Recusal ---------------------------------------------------------------------------


def _case_page(case: Case) -> HttpResponse:
    return redirect("cases:detail", case_no=case.case_no)


@login_required
@require_http_methods(["GET", "POST"])
def recusal_apply(request: HttpRequest, case_no: str) -> HttpResponse:
    """A party applies for the recusal of the case's mediator."""
    user = _user(request)
    case = access_case(user=user, case_no=case_no)
    form = RecusalApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = services.recusal_apply(
                    case=case, user=user, grounds=form.cleaned_data["grounds"]
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                due = application.due_on.isoformat() if application.due_on else ""
                messages.success(
                    request,
                    _("Your application was received. The organization decides by %(due)s.")
                    % {"due": due},
                )
                return _case_page(case)
        else:
            status = 400
    return render(
        request, "conflicts/recusal_apply.html", {"case": case, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_recusal(request: HttpRequest, case_no: str) -> HttpResponse:
    """The case's mediator withdraws from it, with a reason."""
    user = _user(request)
    case = access_case(user=user, case_no=case_no)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.recusal_self(case=case, user=user, reason=form.cleaned_data["reason"])
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("You withdrew from the case."))
                # The case is no longer theirs (unless they administer it too).
                return redirect("cases:my_cases")
        else:
            status = 400
    return render(
        request, "conflicts/self_recusal.html", {"case": case, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def recusal_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    """An administrator grants or rejects a party's application (and may name the
    replacement at once)."""
    user = _user(request)
    application = selectors.access_recusal_for_decision(user=user, application_id=application_id)
    mediators = selectors.replacement_candidates(application.case)
    data = request.POST if request.method == "POST" else None
    form = RecusalDecisionForm(data, mediators=mediators, offer_override=_checked(data))
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                services.recusal_decide(
                    application=application,
                    user=user,
                    granted=form.cleaned_data["decision"] == "granted",
                    reason=form.cleaned_data["reason"],
                    replacement=form.cleaned_data["replacement"],
                    override=form.cleaned_data["override"],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ServiceError as exc:
                status = exc.http_status
                form = RecusalDecisionForm(
                    data, mediators=mediators, offer_override=_offers_override(exc, data)
                )
                form.is_valid()
                add_service_error(form, exc)
            else:
                messages.success(request, _("The decision was recorded."))
                return redirect("conflicts:org_overview", code=application.case.organization.code)
        else:
            status = 400
    context = {"application": application, "case": application.case, "form": form}
    return render(request, "conflicts/recusal_decide.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def replace_mediator(request: HttpRequest, case_no: str) -> HttpResponse:
    """An administrator puts another mediator on the case (assigned or in mediation)."""
    user = _user(request)
    case = access_case(user=user, case_no=case_no)
    mediators = selectors.replacement_candidates(case)
    data = request.POST if request.method == "POST" else None
    form = ReplaceMediatorForm(data, mediators=mediators, offer_override=_checked(data))
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                case_services.case_replace_mediator(
                    case=case,
                    user=user,
                    mediator=form.cleaned_data["mediator"],
                    reason=form.cleaned_data["reason"],
                    override=form.cleaned_data["override"],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ServiceError as exc:
                status = exc.http_status
                form = ReplaceMediatorForm(
                    data, mediators=mediators, offer_override=_offers_override(exc, data)
                )
                form.is_valid()
                add_service_error(form, exc)
            else:
                messages.success(request, _("The mediator was replaced."))
                return _case_page(case)
        else:
            status = 400
    return render(
        request, "conflicts/replace_mediator.html", {"case": case, "form": form}, status=status
    )
