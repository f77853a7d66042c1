"""Statistics pages and downloads (R16). Thin: find the user's scope (404 for a scope that is
not theirs), read the period, compute the figures, render or export them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accord.analytics import exports
from accord.analytics.charts import render_svg
from accord.analytics.figures import TABLES, Period, dashboard, table
from accord.analytics.forms import period_form
from accord.analytics.scope import SCOPE_LABELS, Scope, scope_for, scopes_for


def _scope(request: HttpRequest, key: str) -> Scope:
    return scope_for(request.user, key)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _export_period(request: HttpRequest) -> Period | None:
    form = period_form(request.GET)
    return form.period if form.is_valid() else None


def _bad_period() -> HttpResponse:
    return HttpResponseBadRequest(
        _("Bad period: give from and to as YYYY-MM-DD, from not after to."),
        content_type="text/plain; charset=utf-8",
    )


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    scopes = scopes_for(request.user)
    if not scopes:
        raise Http404("no scope")
    rows = [(item, SCOPE_LABELS[item.kind]) for item in scopes]
    return render(request, "analytics/index.html", {"scopes": rows})


@require_GET
@login_required
def dashboard_view(request: HttpRequest, scope: str) -> HttpResponse:
    watched = _scope(request, scope)
    form = period_form(request.GET)
    context: dict[str, object] = {"scope": watched, "form": form, "items": []}
    if form.is_valid():
        board = dashboard(watched, form.period)
        context["board"] = board
        context["items"] = [
            (item, render_svg(item, empty_message=_("No data in this period")))
            for item in board.tables
        ]
        context["query"] = f"from={form.period.start.isoformat()}&to={form.period.end.isoformat()}"
    return render(request, "analytics/dashboard.html", context)


@require_GET
@login_required
def table_csv(request: HttpRequest, scope: str, key: str) -> HttpResponse:
    watched = _scope(request, scope)
    if key not in TABLES:
        raise Http404("no such table")
    period = _export_period(request)
    if period is None:
        return _bad_period()
    found = table(watched, period, key)
    return _download(
        exports.table_csv(found), exports.CSV_TYPE, exports.filename(watched, period, key, "csv")
    )


@require_GET
@login_required
def table_xlsx(request: HttpRequest, scope: str, key: str) -> HttpResponse:
    watched = _scope(request, scope)
    if key not in TABLES:
        raise Http404("no such table")
    period = _export_period(request)
    if period is None:
        return _bad_period()
    found = table(watched, period, key)
    return _download(
        exports.table_xlsx(found, period),
        exports.XLSX_TYPE,
        exports.filename(watched, period, key, "xlsx"),
    )


@require_GET
@login_required
def report_xlsx(request: HttpRequest, scope: str) -> HttpResponse:
    watched = _scope(request, scope)
    period = _export_period(request)
    if period is None:
        return _bad_period()
    return _download(
        exports.report_xlsx(dashboard(watched, period)),
        exports.XLSX_TYPE,
        exports.filename(watched, period, "report", "xlsx"),
    )


@require_GET
@login_required
def report_pdf(request: HttpRequest, scope: str) -> HttpResponse:
    watched = _scope(request, scope)
    period = _export_period(request)
    if period is None:
        return _bad_period()
    return _download(
        exports.report_pdf(dashboard(watched, period)),
        exports.PDF_TYPE,
        exports.filename(watched, period, "report", "pdf"),
    )
