"""Alert pages, one set per scope (:mod:`accord.analytics.scope`): the list (open first, with
filters), an alert's figures and the cases behind it that belong to the scope, acknowledge and
close. Thin: parse, authorize (404 for a scope or an alert that is not yours), call a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.alerts.forms import CloseForm, FilterForm
from accord.alerts.models import Alert, AlertStatus
from accord.alerts.selectors import alert_in_scope, alerts_in_scope, alerts_listed, cases_behind
from accord.alerts.services import alert_acknowledge, alert_close
from accord.analytics.scope import Scope, scope_for, scopes_for
from accord.cases.selectors import case_list_for_audit, case_list_for_user
from accord.core.api import ServiceError


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _alert(request: HttpRequest, scope_key: str, pk: int) -> tuple[User, Scope, Alert]:
    user = _user(request)
    scope = scope_for(user, scope_key)
    alert = alert_in_scope(scope, pk)
    if alert is None:
        raise Http404
    return user, scope, alert


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scopes = scopes_for(user)
    if not scopes:
        raise Http404
    rows = [
        (scope, alerts_in_scope(scope).exclude(status=AlertStatus.CLOSED).count())
        for scope in scopes
    ]
    return render(request, "alerts/index.html", {"rows": rows})


@login_required
@require_GET
def alert_list(request: HttpRequest, scope: str) -> HttpResponse:
    user = _user(request)
    the_scope = scope_for(user, scope)
    form = FilterForm(request.GET or None)
    status = kind = ""
    if form.is_bound and form.is_valid():
        status, kind = form.cleaned_data["status"], form.cleaned_data["kind"]
    alerts = list(alerts_listed(the_scope, status=status, kind=kind)[:200])
    context = {"scope": the_scope, "form": form, "alerts": alerts}
    refused = form.is_bound and not form.is_valid()
    return render(request, "alerts/list.html", context, status=400 if refused else 200)


def _detail(
    request: HttpRequest, user: User, scope: Scope, alert: Alert, close_form: CloseForm, status: int
) -> HttpResponse:
    cases = list(cases_behind(alert, scope))
    ids = [c.pk for c in cases]
    linkable = set(case_list_for_user(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    linkable |= set(case_list_for_audit(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    context = {
        "scope": scope,
        "alert": alert,
        "cases": [(case, case.pk in linkable) for case in cases],
        "hidden_count": max(0, alert.cases.count() - len(cases)),
        "close_form": close_form,
    }
    return render(request, "alerts/detail.html", context, status=status)


@login_required
@require_GET
def alert_detail(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    user, the_scope, alert = _alert(request, scope, pk)
    return _detail(request, user, the_scope, alert, CloseForm(), 200)


@login_required
@require_POST
def acknowledge(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    user, the_scope, alert = _alert(request, scope, pk)
    try:
        alert_acknowledge(alert, user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The alert is acknowledged."))
    return redirect("alerts:detail", scope=the_scope.key, pk=alert.pk)


@login_required
@require_POST
def close(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    user, the_scope, alert = _alert(request, scope, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            alert_close(alert, user, form.cleaned_data["note"])
        except ServiceError as exc:
            add_service_error(form, exc)
            return _detail(request, user, the_scope, alert, form, exc.http_status)
        messages.success(request, _("The alert is closed."))
        return redirect("alerts:detail", scope=the_scope.key, pk=alert.pk)
    return _detail(request, user, the_scope, alert, form, 400)
