"""The administration of the working-day calendar: system administrators enter the holiday
data of years the package does not cover (``/workdays/``).

Not the Django admin: the calendar is a system administrator's duty (the ``sysadmin`` role of
``accord.orgs``), not a Django staff flag; the data is typed from a notice, which a text area
on a phone takes better than one inline row per date; and every save must go through
``services.calendar_year_enter`` (its checks, its trace event, the listeners after commit).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord.accounts.forms import add_service_error
from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs.models import Role
from accord.orgs.selectors import is_sysadmin
from accord.workdays import package, services
from accord.workdays.forms import CalendarYearForm, format_days
from accord.workdays.selectors import (
    entered_days,
    entered_year,
    entered_years,
    package_disagreements,
)
from accord.workdays.services import MAX_YEAR, MIN_YEAR, DayEntry

View = Callable[..., HttpResponse]


def sysadmin_view(view: View) -> View:
    """Staff sign-in required; anyone but a system administrator gets a 404 (as outsiders do
    on the organization pages: nothing tells them the page exists)."""

    @login_required(login_url="accounts:staff_signin")
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_sysadmin(request.user):
            raise Http404("not a system administrator")
        return view(request, *args, **kwargs)

    return wrapper


@sysadmin_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Which source covers which year, and what is still missing."""
    this_year = timezone.localdate().year
    years = list(entered_years())
    entered = {y.year for y in years}
    missing = [
        year
        for year in (this_year, this_year + 1)
        if year not in entered and not package.covers(year)
    ]
    context = {
        "years": [(y, package_disagreements(y)) for y in years],
        "missing": missing,
        "package_first": package.FIRST_YEAR,
        "package_last": package.LAST_YEAR,
        "package_version": package.VERSION,
    }
    return render(request, "workdays/index.html", context)


@sysadmin_view
@require_http_methods(["GET", "POST"])
def year_edit(request: HttpRequest, year: int) -> HttpResponse:
    """Enter or replace one year's data."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("no such year")
    current = entered_year(year)
    covered = current is None and package.covers(year)
    initial = {}
    if current is not None:
        days = [DayEntry(date=d.date, kind=d.kind, name=d.name) for d in entered_days(current)]
        initial = {"days": format_days(days), "note": current.note}
    form = CalendarYearForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.calendar_year_enter(
                    year=year,
                    days=form.cleaned_data["days"],
                    note=form.cleaned_data["note"],
                    actor=Actor.for_user(request.user, role=Role.SYSADMIN),
                )
            except ServiceError as exc:
                status = exc.http_status
                add_service_error(form, exc)
            else:
                messages.success(request, _("The calendar of %(year)d is saved.") % {"year": year})
                return redirect("workdays:index")
    context = {
        "year": year,
        "form": form,
        "current": current,
        "covered": covered,
        "package_version": package.VERSION,
    }
    return render(request, "workdays/year.html", context, status=status)
