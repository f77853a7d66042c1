"""Court docking pages: an entrustment as the receiving organization's administrators see it,
and the callbacks to courts that could not be delivered (dead letters).

Work in progress (issue 14): deciding and resending are services with tests; their forms on
these pages are not built yet.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accord.courts.models import CallbackStatus, CourtCallback, Entrustment
from accord.orgs.models import Organization, Role
from accord.orgs.selectors import has_role


def _admin_orgs(request: HttpRequest) -> list[Organization]:
    if request.user.pk is None:
        return []
    return [
        org
        for org in Organization.objects.filter(
            memberships__user_id=int(request.user.pk),
            memberships__role=Role.ORG_ADMIN,
            memberships__is_active=True,
        ).distinct()
    ]


@login_required
def entrustment_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    entrustment = (
        Entrustment.objects.select_related("court", "organization").filter(uuid=uuid).first()
    )
    if entrustment is None or not has_role(request.user, Role.ORG_ADMIN, entrustment.organization):
        raise Http404
    return render(request, "courts/entrustment.html", {"entrustment": entrustment})


@login_required
def callbacks(request: HttpRequest) -> HttpResponse:
    organizations = _admin_orgs(request)
    if not organizations:
        raise PermissionDenied
    dead = CourtCallback.objects.filter(
        organization__in=organizations, status=CallbackStatus.DEAD
    ).select_related("court")
    return render(request, "courts/callbacks.html", {"callbacks": dead})
