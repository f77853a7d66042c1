from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accord.rooms.selectors import session_for_participant


@login_required
def session_detail(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session, me = session_for_participant(user=request.user, session_id=session_id)
    participants = session.participants.select_related("user").order_by("role", "id")
    return render(
        request,
        "rooms/session_detail.html",
        {"session": session, "me": me, "participants": participants},
    )
