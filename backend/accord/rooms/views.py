"""Session pages: the overview, joining by link, the device check and the room's shell.

The room itself is the browser client (frontend/js/room/); these pages authorize, render the
data it needs and, for the device check, record the acknowledgement of the recording notice.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.forms import CodeForm, add_service_error
from accord.accounts.phones import mask_phone
from accord.accounts.selectors import uses_staff_signin
from accord.accounts.services import signin_code_request
from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.core.requests import client_ip
from accord.core.security_headers import allow_media_devices
from accord.rooms import services
from accord.rooms.access import ACCESS_REVOKED, Refusal, case_access_refusal
from accord.rooms.forms import AcknowledgeForm
from accord.rooms.models import HearingSession, ParticipantRole, SessionParticipant
from accord.rooms.policy import recording_notice, recording_policy
from accord.rooms.selectors import (
    CONFIRMED_KEY,
    entry_refusal,
    join_link_for,
    session_for_participant,
)
from accord.rooms.services import JoinLinkUnavailable

# Long enough to reach someone the day before a hearing; one use only.
JOIN_LINK_TTL = timedelta(hours=48)


@login_required
def session_detail(
    request: HttpRequest,
    session_id: uuid.UUID,
    *,
    new_link: str = "",
    new_link_for: str = "",
) -> HttpResponse:
    session, me = session_for_participant(user=request.user, session_id=session_id)
    refusal = case_access_refusal(user=me.user, case=session.case, role=me.role)
    if refusal is not None and refusal.code == ACCESS_REVOKED:
        return _unavailable(request, refusal)
    participants = session.participants.select_related("user").order_by("role", "id")
    context = {
        "session": session,
        "me": me,
        "participants": participants,
        "new_link": new_link,
        "new_link_for": new_link_for,
    }
    return render(request, "rooms/session_detail.html", context)


@never_cache
@login_required
@require_POST
def join_link(request: HttpRequest, session_id: uuid.UUID, participant_id: int) -> HttpResponse:
    """The mediator makes a one-time link for an external party (shown on this page once)."""
    session, me = session_for_participant(user=request.user, session_id=session_id)
    if me.role != ParticipantRole.MEDIATOR:
        raise Http404
    target = get_object_or_404(
        SessionParticipant.objects.select_related("user", "session__case"),
        session=session,
        pk=participant_id,
    )
    try:
        path = services.join_link_create(
            participant=target,
            ttl=JOIN_LINK_TTL,
            actor=Actor.for_user(request.user, role=me.role),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("rooms:session", session_id=session.pk)
    return session_detail(
        request,
        session_id,
        new_link=request.build_absolute_uri(path),
        new_link_for=target.display_name,
    )


def _unavailable(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    return render(
        request,
        "rooms/unavailable.html",
        {"message": refusal.message, "close_code": refusal.close_code},
        status=refusal.http_status,
    )


def _entering(
    request: HttpRequest, session_id: uuid.UUID
) -> tuple[HearingSession, SessionParticipant] | HttpResponse:
    """The participant about to enter, or the page that says why they may not."""
    session, me = session_for_participant(user=request.user, session_id=session_id)
    refusal = entry_refusal(participant=me, session_data=request.session)
    if refusal is not None:
        return _unavailable(request, refusal)
    return session, me


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, session_id: uuid.UUID, token: str) -> HttpResponse:
    """A participant's one-time link: a code to their phone, then the device check."""
    try:
        link = join_link_for(session_id=session_id, token=token)
    except JoinLinkUnavailable as exc:
        return render(
            request,
            "rooms/link_unavailable.html",
            {"message": exc.message, "code": exc.code},
            status=exc.http_status,
        )
    participant = link.participant
    device_check = reverse("rooms:device_check", kwargs={"session_id": session_id})
    if uses_staff_signin(participant.user):  # staff join signed in, with their second factor
        return redirect(f"{reverse('accounts:staff_signin')}?{urlencode({'next': device_check})}")
    phone = participant.user.phone or ""
    form = CodeForm(request.POST if "code" in request.POST else None)
    step = "start"
    status = 200
    errors: list[str] = []
    if request.method == "POST" and "send" in request.POST:
        try:
            signin_code_request(phone=phone, client_ip=client_ip(request))
        except ServiceError as exc:
            errors = [exc.message]
            status = exc.http_status
        else:
            step = "code"
    elif request.method == "POST" and form.is_valid():
        step = "code"
        try:
            services.join_link_confirm(
                link=link, code=form.cleaned_data["code"], client_ip=client_ip(request)
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            status = getattr(exc, "http_status", 400)
        else:
            login(request, participant.user)
            confirmed = [*request.session.get(CONFIRMED_KEY, []), participant.pk]
            request.session[CONFIRMED_KEY] = confirmed
            return redirect(device_check)
    elif request.method == "POST":
        step, status = "code", 400
    context = {
        "session": participant.session,
        "participant": participant,
        "phone": mask_phone(phone),
        "form": form,
        "step": step,
        "errors": errors,
    }
    return render(request, "rooms/join.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@allow_media_devices("camera", "microphone")
def device_check(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """Camera, microphone, speaker and connection (in the browser), then the rules to accept."""
    entering = _entering(request, session_id)
    if isinstance(entering, HttpResponse):
        return entering
    session, me = entering
    room_url = reverse("rooms:room", kwargs={"session_id": session.pk})
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.notice_acknowledge(participant=me)
        return redirect(room_url)
    context = {
        "session": session,
        "me": me,
        "form": form,
        "room_url": room_url,
        "recording_notice": recording_notice(recording_policy(session.case)),
    }
    return render(request, "rooms/device_check.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@allow_media_devices("camera", "microphone", "display-capture")
def room(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The room's shell; the waiting room is a state of it (the socket says ``waiting``)."""
    entering = _entering(request, session_id)
    if isinstance(entering, HttpResponse):
        return entering
    session, me = entering
    if me.notice_acknowledged_at is None:
        return redirect("rooms:device_check", session_id=session.pk)
    scheme = "wss" if request.is_secure() else "ws"
    ws_url = f"{scheme}://{request.get_host()}/ws/rooms/{session.pk}/"
    context = {
        "session": session,
        "me": me,
        "ws_url": ws_url,
        "lang": getattr(request, "LANGUAGE_CODE", "zh-hans"),
    }
    return render(request, "rooms/room.html", context)
