"""Pages of the financial institutions (R17): the public page per institution, and the desk
where its staff and administrators keep their complaint channels, mediation contacts and
mediation-first clauses, list their disputes and read their screening report.

Desk views resolve the institution with ``institution_kept_or_404`` (404 for outsiders),
parse a form and call one service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.core.api import ServiceError
from accord.institutions import selectors
from accord.institutions.forms import (
    CaseFilterForm,
    ChannelForm,
    ClauseForm,
    ContactForm,
    PeriodForm,
)
from accord.institutions.models import MediationContact, MediationFirstClause
from accord.institutions.selectors import CaseFilter
from accord.institutions.services import channels as channel_services
from accord.institutions.services import clauses as clause_services
from accord.institutions.services import contacts as contact_services
from accord.orgs.models import ComplaintChannel, Organization

PAGE_SIZE = 25

DeskView = Callable[..., HttpResponse]


def desk_view(view: DeskView) -> DeskView:
    """Staff sign-in required; ``code`` in the URL becomes the kept ``institution``."""

    @login_required(login_url="accounts:staff_signin")
    @wraps(view)
    def wrapper(request: HttpRequest, code: str, **kwargs: Any) -> HttpResponse:
        institution = selectors.institution_kept_or_404(request.user, code)
        return view(request, institution, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _status(form_has_errors: bool, exc: ServiceError | None) -> int:
    if exc is not None:
        return exc.http_status
    return 400 if form_has_errors else 200


# --- Public ---------------------------------------------------------------------


@require_GET
def public(request: HttpRequest, code: str) -> HttpResponse:
    """One institution's channels, mediation contacts and published clauses (R17)."""
    page = selectors.public_institution(code)
    return render(request, "institutions/public.html", {"page": page})


# --- Desk -----------------------------------------------------------------------


@login_required(login_url="accounts:staff_signin")
@require_GET
def manage_index(request: HttpRequest) -> HttpResponse:
    institutions = list(selectors.institutions_kept_by(request.user))
    if not institutions:
        raise Http404("no institution kept")
    return render(request, "institutions/manage_index.html", {"institutions": institutions})


@desk_view
@require_http_methods(["GET", "POST"])
def channels(request: HttpRequest, institution: Organization) -> HttpResponse:
    form = ChannelForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            channel_services.channel_create(
                institution=institution, user=_user(request), **form.cleaned_data
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The channel is published."))
            return redirect("institutions:channels", code=institution.code)
    context = {
        "institution": institution,
        "channels": institution.complaint_channels.all(),
        "form": form,
    }
    return render(
        request, "institutions/channels.html", context, status=_status(bool(form.errors), refusal)
    )


@desk_view
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, institution: Organization, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(ComplaintChannel, pk=channel_id, organization=institution)
    form = ChannelForm(request.POST or None, initial=ChannelForm.initial_from(channel))
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            channel_services.channel_update(
                channel=channel, user=_user(request), **form.cleaned_data
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The channel was saved."))
            return redirect("institutions:channels", code=institution.code)
    context = {"institution": institution, "form": form, "title": _("Edit complaint channel")}
    context["back"] = "institutions:channels"
    return render(
        request, "institutions/edit.html", context, status=_status(bool(form.errors), refusal)
    )


@desk_view
@require_POST
def channel_delete(
    request: HttpRequest, institution: Organization, channel_id: int
) -> HttpResponse:
    channel = get_object_or_404(ComplaintChannel, pk=channel_id, organization=institution)
    channel_services.channel_delete(channel=channel, user=_user(request))
    messages.success(request, _("The channel was removed."))
    return redirect("institutions:channels", code=institution.code)


@desk_view
@require_http_methods(["GET", "POST"])
def contacts(request: HttpRequest, institution: Organization) -> HttpResponse:
    form = ContactForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            contact_services.mediation_contact_create(
                institution=institution, user=_user(request), data=form.to_input()
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The mediation contact was added."))
            return redirect("institutions:contacts", code=institution.code)
    context = {
        "institution": institution,
        "contacts": MediationContact.objects.filter(institution=institution).select_related(
            "organization"
        ),
        "form": form,
    }
    return render(
        request, "institutions/contacts.html", context, status=_status(bool(form.errors), refusal)
    )


@desk_view
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, institution: Organization, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(MediationContact, pk=contact_id, institution=institution)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_from(contact))
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            contact_services.mediation_contact_update(
                contact=contact, user=_user(request), data=form.to_input()
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The mediation contact was saved."))
            return redirect("institutions:contacts", code=institution.code)
    context = {
        "institution": institution,
        "form": form,
        "title": _("Edit mediation contact"),
        "back": "institutions:contacts",
    }
    return render(
        request, "institutions/edit.html", context, status=_status(bool(form.errors), refusal)
    )


@desk_view
@require_POST
def contact_delete(
    request: HttpRequest, institution: Organization, contact_id: int
) -> HttpResponse:
    contact = get_object_or_404(MediationContact, pk=contact_id, institution=institution)
    contact_services.mediation_contact_delete(contact=contact, user=_user(request))
    messages.success(request, _("The mediation contact was removed."))
    return redirect("institutions:contacts", code=institution.code)


@desk_view
@require_http_methods(["GET", "POST"])
def clauses(request: HttpRequest, institution: Organization) -> HttpResponse:
    form = ClauseForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            clause_services.clause_create(
                institution=institution, user=_user(request), data=form.to_input()
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The clause was registered."))
            return redirect("institutions:clauses", code=institution.code)
    context = {
        "institution": institution,
        "clauses": MediationFirstClause.objects.filter(institution=institution).select_related(
            "organization"
        ),
        "form": form,
    }
    return render(
        request, "institutions/clauses.html", context, status=_status(bool(form.errors), refusal)
    )


@desk_view
@require_http_methods(["GET", "POST"])
def clause_edit(request: HttpRequest, institution: Organization, clause_id: int) -> HttpResponse:
    clause = get_object_or_404(MediationFirstClause, pk=clause_id, institution=institution)
    form = ClauseForm(request.POST or None, initial=ClauseForm.initial_from(clause))
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            clause_services.clause_update(clause=clause, user=_user(request), data=form.to_input())
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The clause was saved."))
            return redirect("institutions:clauses", code=institution.code)
    context = {
        "institution": institution,
        "form": form,
        "title": _("Edit mediation-first clause"),
        "back": "institutions:clauses",
    }
    return render(
        request, "institutions/edit.html", context, status=_status(bool(form.errors), refusal)
    )


@desk_view
@require_POST
def clause_delete(request: HttpRequest, institution: Organization, clause_id: int) -> HttpResponse:
    clause = get_object_or_404(MediationFirstClause, pk=clause_id, institution=institution)
    clause_services.clause_delete(clause=clause, user=_user(request))
    messages.success(request, _("The clause was removed."))
    return redirect("institutions:clauses", code=institution.code)


@desk_view
@require_GET
def cases(request: HttpRequest, institution: Organization) -> HttpResponse:
    """The disputes brought against the institution, filtered and paginated."""
    form = CaseFilterForm(request.GET or None)
    wanted = form.to_filter() if form.is_bound and form.is_valid() else CaseFilter()
    paginator = Paginator(selectors.institution_cases(institution, wanted), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "institution": institution,
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "institutions/cases.html", context, status=400 if form.errors else 200)


@desk_view
@require_GET
def report(request: HttpRequest, institution: Organization) -> HttpResponse:
    """The screening report: the institution's cases by product and business type × stage."""
    form = PeriodForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else {}
    result = selectors.screening_report(
        institution, date_from=data.get("date_from"), date_to=data.get("date_to")
    )
    context = {"institution": institution, "form": form, "report": result}
    return render(request, "institutions/report.html", context, status=400 if form.errors else 200)
