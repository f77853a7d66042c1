"""Which cases a user may audit (read the case page, without acting on the case).

An auditor (an active ``Role.AUDITOR`` membership) audits the cases of their mediation
organization, of the court that entrusted them and of the regulator that assigned them:
that is known here. Apps above ``cases`` widen the scope (a replay grant lets its holder
read the case it is for): they register a provider in their ``AppConfig.ready()``, so
``cases`` never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from accord.accounts.models import User
from accord.orgs.models import Role
from accord.orgs.selectors import organizations_where

# A provider answers, for an active user, the ids of the cases it lets them audit
# (a ``values_list("case_id", flat=True)`` queryset: it becomes a subquery, not a list).
AuditScopeProvider = Callable[[User], "QuerySet[Any, int]"]

_providers: list[AuditScopeProvider] = []


def register_audit_scope(provider: AuditScopeProvider) -> AuditScopeProvider:
    """Add ``provider`` to the audit scope (idempotent; usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_audit_scope(provider: AuditScopeProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def audit_q(user: User) -> Q:
    """The cases ``user`` (active) may audit, as a filter on ``Case``."""
    audited = organizations_where(user, Role.AUDITOR)
    q = Q(organization__in=audited) | Q(court__in=audited) | Q(referred_by__in=audited)
    for provider in _providers:
        q |= Q(pk__in=provider(user))
    return q
