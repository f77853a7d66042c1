"""Legal holds on a case's recordings: placed and released by an administrator of the case's
organization (the services check it again). The holds and the retention they override are
shown on the case's verification page (``accord.packages``); these views take its forms.

Whoever may not gets 404, never 403, so case numbers leak nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.selectors import access_case
from accord.core.api import ServiceError
from accord.recordings.forms import HoldForm
from accord.recordings.models import LegalHold
from accord.recordings.selectors import may_hold
from accord.recordings.services import legal_hold_place, legal_hold_release

# The page the hold forms are on (accord.packages, a layer above, names its URL so).
VERIFY_PAGE = "packages:verify"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case_for_holding(user: User, case_no: str) -> Case:
    """The case, or 404 for whoever may not place or release its holds."""
    case = access_case(user=user, case_no=case_no)
    if not may_hold(user, case):
        raise Http404(_("No such case."))
    return case


@login_required
@require_POST
def hold_place(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = _case_for_holding(user, case_no)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_place(case=case, reason=form.cleaned_data["reason"], by=user)
        except ServiceError as exc:
            form.add_error("reason" if exc.code == "reason_required" else None, exc.message)
        else:
            messages.success(request, _("Legal hold placed: the recordings are kept."))
            return redirect(VERIFY_PAGE, case_no=case.case_no)
    return render(
        request, "recordings/hold_form.html", {"case": case, "hold_form": form}, status=400
    )


@login_required
@require_POST
def hold_release(request: HttpRequest, case_no: str, hold_id: int) -> HttpResponse:
    user = _user(request)
    case = _case_for_holding(user, case_no)
    hold = LegalHold.objects.filter(case=case, pk=hold_id).select_related("case").first()
    if hold is None:
        raise Http404(_("No such legal hold."))
    try:
        legal_hold_release(hold=hold, by=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Legal hold released."))
    return redirect(VERIFY_PAGE, case_no=case.case_no)
