"""What each scope sees of the alerts (scopes: :mod:`accord.analytics.scope`).

An alert is visible in a scope when at least one of its cases is among the scope's cases; a
financial institution sees, moreover, only the alerts about itself (never a business type's
surge that merely includes a case against it). The cases shown behind an alert are those of the
scope only.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case as Rank
from django.db.models import IntegerField, QuerySet, Value, When

from accord.accounts.models import User
from accord.alerts.models import Alert, AlertStatus
from accord.analytics.scope import Scope, ScopeKind, scopes_for
from accord.cases.models import Case


def alerts_in_scope(scope: Scope) -> QuerySet[Alert]:
    alerts = Alert.objects.all()
    if scope.kind == ScopeKind.SYSTEM or scope.organization is None:
        return alerts
    if scope.kind == ScopeKind.INSTITUTION:
        alerts = alerts.filter(respondent=scope.organization)
    visible = Alert.cases.through.objects.filter(
        case__in=Case.objects.filter(scope.case_q())
    ).values("alert_id")
    return alerts.filter(pk__in=visible)


def alerts_listed(scope: Scope, *, status: str = "", kind: str = "") -> QuerySet[Alert]:
    """The scope's alerts, open first, then acknowledged, then closed; newest first in each."""
    alerts = alerts_in_scope(scope).select_related("respondent")
    if status:
        alerts = alerts.filter(status=status)
    if kind:
        alerts = alerts.filter(kind=kind)
    rank = Rank(
        When(status=AlertStatus.OPEN, then=Value(0)),
        When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return alerts.annotate(status_rank=rank).order_by("status_rank", "-detected_at", "-id")


def alert_in_scope(scope: Scope, pk: int) -> Alert | None:
    return alerts_in_scope(scope).select_related("respondent").filter(pk=pk).first()


def cases_behind(alert: Alert, scope: Scope) -> QuerySet[Case]:
    """The alert's cases that belong to ``scope``."""
    return (
        alert.cases.filter(scope.case_q())
        .select_related("organization", "respondent")
        .order_by("created_at", "pk")
    )


def may_watch(user: User | AnonymousUser, alert: Alert) -> bool:
    """Whether any scope of ``user`` sees ``alert``."""
    return any(alerts_in_scope(scope).filter(pk=alert.pk).exists() for scope in scopes_for(user))
