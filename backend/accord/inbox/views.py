"""The notices page: a user's notices, newest first; opening it marks them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accord.accounts.models import User
from accord.inbox.selectors import notices_of
from accord.inbox.services import notices_mark_read

NOTICES_PER_PAGE = 30


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    page = Paginator(notices_of(user), NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    notices = list(page.object_list)
    unread = {notice.pk for notice in notices if notice.read_at is None}
    notices_mark_read(user=user, notice_ids=unread)
    return render(
        request, "inbox/index.html", {"page_obj": page, "notices": notices, "unread": unread}
    )
