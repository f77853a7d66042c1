"""``{% load replay %}``: session-time formatting and links to the replay page for those who
may open it (the case page gets its links through :mod:`accord.replay.sections`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from accord.replay.access import replay_access
from accord.rooms.models import HearingSession

register = template.Library()


@register.filter
def clock(ms: int | None) -> str:
    """Session milliseconds as ``m:ss`` (or ``h:mm:ss``)."""
    seconds = max(0, int(ms or 0)) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def _user(context: template.Context | dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


def replay_url_for(user: Any, session: HearingSession) -> str:
    """The session's replay page, or "" when ``user`` has no replay access."""
    if user is None or replay_access(user, session) is None:
        return ""
    return reverse(
        "replay:replay", kwargs={"case_no": session.case.case_no, "session_id": session.pk}
    )


@register.inclusion_tag("replay/_session_link.html", takes_context=True)
def replay_link(context: template.Context, session: HearingSession) -> dict[str, Any]:
    """A link to the session's replay for those who may open it (nothing for the others)."""
    return {"url": replay_url_for(_user(context), session)}
