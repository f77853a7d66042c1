"""Scheduling pages: a new hearing from the case page, and the mediator's page of one
hearing (move it, cancel it, resend or revoke a participant's join link). Thin: parse,
authorize (404 for what is not yours), call one service of :mod:`accord.rooms.scheduling`."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.cases.selectors import access_case
from accord.core.api import ServiceError
from accord.rooms import scheduling
from accord.rooms.models import HearingSession, JoinLink, SessionParticipant
from accord.rooms.scheduling_forms import CancelForm, HearingTimeForm, ScheduleForm
from accord.rooms.sections import recording_policy


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = access_case(user=user, case_no=case_no)
    if not scheduling.may_schedule(user=user, case=case):
        raise Http404
    candidates = scheduling.schedule_candidates(case=case)
    start = timezone.localtime() + timedelta(days=1)
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        initial={"scheduled_at": start.replace(minute=0, second=0, microsecond=0)},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = scheduling.hearing_schedule(
                    case=case,
                    scheduled_at=data["scheduled_at"],
                    duration_minutes=data["duration_minutes"],
                    join_opens_minutes=data["join_opens_minutes"],
                    title=data["title"],
                    participants=form.participants(),
                    by=user,
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The hearing was scheduled; the participants are told by SMS."),
                )
                return redirect("rooms:manage", session_id=session.pk)
    context = {"case": case, "form": form, "policy": recording_policy(case)}
    return render(request, "rooms/schedule.html", context, status=status)


def _managed(request: HttpRequest, session_id: uuid.UUID) -> HearingSession:
    session = get_object_or_404(HearingSession.objects.select_related("case"), pk=session_id)
    if not scheduling.may_manage(user=_user(request), session=session):
        raise Http404
    return session


def _link_state(participant: SessionParticipant) -> dict[str, Any]:
    link = JoinLink.objects.filter(participant=participant).order_by("-pk").first()
    if link is None:
        return {"state": "none", "link": None}
    if link.used_at is not None:
        state = "used"
    elif link.revoked_at is not None:
        state = "revoked"
    elif link.expires_at <= timezone.now():
        state = "expired"
    elif link.sent_at is None:
        state = "unsent"
    else:
        state = "sent"
    return {"state": state, "link": link}


def _manage_page(
    request: HttpRequest,
    session: HearingSession,
    *,
    time_form: HearingTimeForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    participants = [
        {"participant": p, "by_link": scheduling.gets_join_link(p.user), **_link_state(p)}
        for p in session.participants.select_related("user").order_by("role", "id")
    ]
    initial = {
        "scheduled_at": timezone.localtime(session.scheduled_at),
        "duration_minutes": session.duration_minutes,
        "join_opens_minutes": session.join_opens_minutes,
    }
    context = {
        "session": session,
        "case": session.case,
        "participants": participants,
        "time_form": time_form or HearingTimeForm(initial=initial),
        "cancel_form": cancel_form or CancelForm(),
        "changeable": session.status == "scheduled",
        "policy": recording_policy(session.case),
    }
    return render(request, "rooms/manage.html", context, status=status)


@login_required
def manage(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    return _manage_page(request, _managed(request, session_id))


@login_required
@require_POST
def reschedule(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _managed(request, session_id)
    form = HearingTimeForm(request.POST)
    if form.is_valid():
        try:
            scheduling.session_reschedule(
                session=session,
                scheduled_at=form.cleaned_data["scheduled_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                join_opens_minutes=form.cleaned_data["join_opens_minutes"],
                by=_user(request),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The hearing was moved; the participants are told by SMS."))
            return redirect("rooms:manage", session_id=session.pk)
    return _manage_page(request, session, time_form=form, status=400)


@login_required
@require_POST
def cancel(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _managed(request, session_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            scheduling.session_cancel(
                session=session, reason=form.cleaned_data["reason"], by=_user(request)
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("The hearing was cancelled; the participants are told by SMS.")
            )
            return redirect("rooms:manage", session_id=session.pk)
    return _manage_page(request, session, cancel_form=form, status=400)


def _participant(session: HearingSession, participant_id: int) -> SessionParticipant:
    return get_object_or_404(
        SessionParticipant.objects.select_related("user", "session__case"),
        session=session,
        pk=participant_id,
    )


@login_required
@require_POST
def link_resend(request: HttpRequest, session_id: uuid.UUID, participant_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    target = _participant(session, participant_id)
    try:
        scheduling.join_link_resend(participant=target, by=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("A new join link is sent to %(name)s.") % {"name": target.display_name}
        )
    return redirect("rooms:manage", session_id=session.pk)


@login_required
@require_POST
def link_revoke(request: HttpRequest, session_id: uuid.UUID, participant_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    target = _participant(session, participant_id)
    try:
        scheduling.join_link_revoke(participant=target, by=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The join link of %(name)s no longer works.") % {"name": target.display_name},
        )
    return redirect("rooms:manage", session_id=session.pk)
