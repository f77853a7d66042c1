"""Publicity pages. Public (no sign-in): the typical-case library and the events, published
rows only. Organization administrators: the management pages under
``/publicity/manage/<code>/``, the review page and drafting from the case page. Thin: parse,
authorize (404 for what is not yours), call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.cases.models import Case
from accord.core.api import ServiceError
from accord.orgs.models import Organization
from accord.publicity.anonymize import identifiers_in
from accord.publicity.forms import EventForm, LibrarySearchForm, TypicalCaseForm, WithdrawForm
from accord.publicity.highlight import highlighted
from accord.publicity.models import OutreachEvent, TypicalCase, TypicalCaseStatus
from accord.publicity.selectors import (
    curated_organization,
    event_for_curator,
    events_of,
    events_split,
    library_organizations,
    library_search,
    person_names,
    public_event,
    published_case,
    typical_case_for_curator,
    typical_cases_of,
)
from accord.publicity.services.events import (
    event_cancel,
    event_create,
    event_publish,
    event_update,
)
from accord.publicity.services.typical import (
    typical_case_draft,
    typical_case_publish,
    typical_case_update,
    typical_case_withdraw,
)

STAFF_SIGNIN = "accounts:staff_signin"


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _organization(request: HttpRequest, code: str) -> Organization:
    organization = curated_organization(request.user, code)
    if organization is None:
        raise Http404
    return organization


def _typical(request: HttpRequest, code: str, typical_id: int) -> TypicalCase:
    typical = typical_case_for_curator(request.user, _organization(request, code), typical_id)
    if typical is None:
        raise Http404
    return typical


def _event(request: HttpRequest, code: str, event_id: int) -> OutreachEvent:
    event = event_for_curator(request.user, _organization(request, code), event_id)
    if event is None:
        raise Http404
    return event


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    messages.error(request, " ".join([exc.message, *(str(d) for d in details)]))


# --- Public ---------------------------------------------------------------------------


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The published typical cases, filtered and searched (``accord.publicity.search``)."""
    form = LibrarySearchForm(request.GET or None, organizations=list(library_organizations()))
    cases = list(library_search(form.filters())[:100])
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "publicity/library.html", {"form": form, "cases": cases}, status=status)


@require_GET
def case_detail(request: HttpRequest, typical_id: int) -> HttpResponse:
    typical = published_case(typical_id)
    if typical is None:
        raise Http404
    return render(request, "publicity/case_detail.html", {"typical": typical})


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    upcoming, past = events_split()
    return render(request, "publicity/events.html", {"upcoming": upcoming, "past": past})


@require_GET
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = public_event(event_id)
    if event is None:
        raise Http404
    return render(request, "publicity/event_detail.html", {"event": event})


# --- Drafting from the case page ---------------------------------------------------------


@login_required(login_url=STAFF_SIGNIN)
@require_POST
def draft(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = Case.objects.select_related("organization").filter(case_no=case_no).first()
    if case is None or curated_organization(user, case.organization.code) is None:
        raise Http404
    try:
        typical = typical_case_draft(case=case, user=user)
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("cases:detail", case_no=case.case_no)
    messages.success(request, _("A draft typical case was made; review it before publishing."))
    return redirect("publicity:review", code=case.organization.code, typical_id=typical.pk)


# --- Management -------------------------------------------------------------------------


@login_required(login_url=STAFF_SIGNIN)
@require_GET
def manage(request: HttpRequest, code: str) -> HttpResponse:
    organization = _organization(request, code)
    typicals = list(typical_cases_of(organization))
    context = {
        "organization": organization,
        "drafts": [t for t in typicals if t.status == TypicalCaseStatus.DRAFT],
        "published": [t for t in typicals if t.status == TypicalCaseStatus.PUBLISHED],
        "withdrawn": [t for t in typicals if t.status == TypicalCaseStatus.WITHDRAWN],
        "events": list(events_of(organization)),
    }
    return render(request, "publicity/manage.html", context)


def _review_context(typical: TypicalCase, form: TypicalCaseForm) -> dict[str, Any]:
    case = typical.case
    names = person_names(case)
    originals = [
        (_("Facts"), case.description),
        (_("Claims"), case.claims),
        (_("Reason of the latest step"), case.state_reason),
    ]
    original_blocks = [
        (label, highlighted(text, identifiers_in(text, names=names)))
        for label, text in originals
        if text
    ]
    current = form.data if form.is_bound else form.initial
    remaining = []
    for name, field in form.fields.items():
        if name == "reviewed":
            continue
        value = str(current.get(name, "") or "")
        spans = identifiers_in(value, names=names)
        if spans:
            remaining.append((field.label, highlighted(value, spans)))
    return {
        "typical": typical,
        "case": case,
        "organization": typical.organization,
        "form": form,
        "original_blocks": original_blocks,
        "remaining": remaining,
        "withdraw_form": WithdrawForm(),
    }


@login_required(login_url=STAFF_SIGNIN)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, code: str, typical_id: int) -> HttpResponse:
    """The original (visible here only: the organization's administrators) beside the
    anonymized, editable texts; "Save" keeps a draft, "Publish" needs the confirmation."""
    typical = _typical(request, code, typical_id)
    editable = typical.status == TypicalCaseStatus.DRAFT
    if request.method == "GET" or not editable:
        if request.method == "POST":
            return HttpResponse(_("Only a draft can be edited or published."), status=409)
        form = TypicalCaseForm(initial=TypicalCaseForm.initial_of(typical))
        return render(request, "publicity/review.html", _review_context(typical, form))
    form = TypicalCaseForm(request.POST)
    status = 400
    if form.is_valid():
        user = _user(request)
        publish = request.POST.get("action") == "publish"
        try:
            if publish:
                typical_case_publish(
                    typical=typical,
                    user=user,
                    texts=form.texts(),
                    reviewed=form.cleaned_data["reviewed"],
                )
            else:
                typical_case_update(typical=typical, user=user, texts=form.texts())
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            if publish:
                messages.success(request, _("The typical case is published."))
                return redirect("publicity:manage", code=code)
            messages.success(request, _("The draft was saved."))
            return redirect("publicity:review", code=code, typical_id=typical.pk)
    return render(request, "publicity/review.html", _review_context(typical, form), status=status)


@login_required(login_url=STAFF_SIGNIN)
@require_POST
def withdraw(request: HttpRequest, code: str, typical_id: int) -> HttpResponse:
    typical = _typical(request, code, typical_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return render(
            request,
            "publicity/review.html",
            {
                **_review_context(typical, TypicalCaseForm(initial=typical.texts())),
                "withdraw_form": form,
            },
            status=400,
        )
    try:
        typical_case_withdraw(
            typical=typical, user=_user(request), reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        _refused(request, exc)
        return HttpResponse(exc.message, status=exc.http_status)
    messages.success(request, _("The typical case was withdrawn from the public pages."))
    return redirect("publicity:manage", code=code)


@login_required(login_url=STAFF_SIGNIN)
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest, code: str) -> HttpResponse:
    organization = _organization(request, code)
    form = EventForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event_create(
                    organization=organization, user=_user(request), data=form.event_input()
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The event was saved; publish it to show it."))
                return redirect("publicity:manage", code=code)
    context = {"organization": organization, "form": form, "event": None}
    return render(request, "publicity/event_form.html", context, status=status)


@login_required(login_url=STAFF_SIGNIN)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, code: str, event_id: int) -> HttpResponse:
    event = _event(request, code, event_id)
    form = EventForm(
        request.POST if request.method == "POST" else None, initial=EventForm.initial_of(event)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event_update(event=event, user=_user(request), data=form.event_input())
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The event was saved."))
                return redirect("publicity:manage", code=code)
    context = {"organization": event.organization, "form": form, "event": event}
    return render(request, "publicity/event_form.html", context, status=status)


@login_required(login_url=STAFF_SIGNIN)
@require_POST
def event_publish_view(request: HttpRequest, code: str, event_id: int) -> HttpResponse:
    event = _event(request, code, event_id)
    try:
        event_publish(event=event, user=_user(request))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.http_status)
    messages.success(request, _("The event is on the public page."))
    return redirect("publicity:manage", code=code)


@login_required(login_url=STAFF_SIGNIN)
@require_POST
def event_cancel_view(request: HttpRequest, code: str, event_id: int) -> HttpResponse:
    event = _event(request, code, event_id)
    try:
        event_cancel(event=event, user=_user(request))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.http_status)
    messages.success(request, _("The event was cancelled."))
    return redirect("publicity:manage", code=code)
