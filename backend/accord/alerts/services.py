"""Every write of the early warning, traced on the system-wide chain ``system:alerts``:

- ``alert.raised`` / ``alert.updated``: :func:`alerts_scan` (the Celery beat, hourly) runs the
  rules of :mod:`accord.alerts.detection` over the cases of the last days and opens an alert per
  series that alarms, or updates the series' alert that is not closed yet (new cases, figures);
- ``alert.acknowledged``: :func:`alert_acknowledge`;
- ``alert.closed``: :func:`alert_close`, with a note (its SHA-256 in the trace).

Payloads carry ids, case numbers, organization codes and figures; never names or texts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.alerts.detection import (
    CaseRecord,
    GroupFinding,
    GroupParams,
    SurgeFinding,
    SurgeParams,
    detect_groups,
    detect_surges,
)
from accord.alerts.models import Alert, AlertKind, AlertStatus, SeriesKind
from accord.alerts.selectors import may_watch
from accord.audit.actors import Actor
from accord.audit.models import TraceChain
from accord.audit.services import trace_append, trace_chain_named
from accord.cases.models import Case
from accord.core.api import ServiceError
from accord.inbox.services import notify
from accord.orgs.models import Membership, Organization, OrgKind, Role

CHAIN_KEY = "system:alerts"
SCANNER = "alerts-scan"
NOTE_MAX = 2000


def alerts_chain() -> TraceChain:
    """The alerts' chain, locked. Call inside ``transaction.atomic()``."""
    return trace_chain_named(CHAIN_KEY)


def surge_params() -> SurgeParams:
    return SurgeParams(
        window_days=settings.ACCORD_ALERT_WINDOW_DAYS,
        baseline_days=settings.ACCORD_ALERT_BASELINE_DAYS,
        alpha=settings.ACCORD_ALERT_ALPHA,
        min_count=settings.ACCORD_ALERT_MIN_COUNT,
        floor_per_day=settings.ACCORD_ALERT_FLOOR_PER_DAY,
    )


def group_params() -> GroupParams:
    return GroupParams(
        window_days=settings.ACCORD_ALERT_GROUP_DAYS,
        threshold=settings.ACCORD_ALERT_GROUP_SIMILARITY,
        min_size=settings.ACCORD_ALERT_GROUP_MIN_SIZE,
    )


def _canonical(value: Any) -> Any:
    """Floats are not canonical in a trace payload: written as their shortest repr."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    return value


def _figure(value: float | None, digits: int = 6) -> str | None:
    return None if value is None else f"{value:.{digits}g}"


# --- Reading the cases ------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def case_records(since: dt.date, until: dt.date) -> list[CaseRecord]:
    """The cases created from ``since`` to ``until`` (local days, both included)."""
    rows = (
        Case.objects.filter(
            created_at__gte=_day_start(since),
            created_at__lt=_day_start(until + dt.timedelta(days=1)),
        )
        .values_list(
            "pk",
            "created_at",
            "organization__region",
            "respondent_id",
            "product",
            "business_type",
            "description",
        )
        .order_by("pk")
    )
    return [
        CaseRecord(
            case_id=pk,
            day=timezone.localtime(created_at).date(),
            region=region or "",
            respondent_id=respondent_id,
            product=product or "",
            business_type=business_type or "",
            text=description or "",
        )
        for pk, created_at, region, respondent_id, product, business_type, description in rows
    ]


# --- Scanning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """One alarm of one rule, ready to be stored."""

    kind: str
    series: str
    series_key: str
    region: str
    respondent_id: int | None
    business_type: str
    product_key: str
    product: str
    window_start: dt.date
    window_end: dt.date
    observed: int
    expected: float | None
    p_value: float | None
    similarity: float | None
    parameters: dict[str, Any]
    case_ids: tuple[int, ...]


def _series_key(*parts: object) -> str:
    return "|".join("" if part is None else str(part) for part in parts)[:400]


def _from_surge(finding: SurgeFinding, params: SurgeParams) -> Observation:
    series, region, respondent_id, business_type, key = finding.series
    return Observation(
        kind=AlertKind.SURGE,
        series=series,
        series_key=_series_key(AlertKind.SURGE, series, region, respondent_id, business_type, key),
        region=region,
        respondent_id=respondent_id,
        business_type=business_type,
        product_key=key,
        product=finding.product[:200],
        window_start=finding.window_start,
        window_end=finding.window_end,
        observed=finding.test.observed,
        expected=finding.test.expected,
        p_value=finding.test.p_value,
        similarity=None,
        parameters={**params.as_json(), "baseline_count": finding.test.baseline},
        case_ids=finding.case_ids,
    )


def _from_group(finding: GroupFinding, params: GroupParams) -> Observation:
    region = finding.regions[0] if len(finding.regions) == 1 else ""
    return Observation(
        kind=AlertKind.GROUP,
        series=SeriesKind.RESPONDENT_PRODUCT,
        series_key=_series_key(AlertKind.GROUP, finding.respondent_id, finding.product_key),
        region=region,
        respondent_id=finding.respondent_id,
        business_type="",
        product_key=finding.product_key,
        product=finding.product[:200],
        window_start=finding.window_start,
        window_end=finding.window_end,
        observed=len(finding.case_ids),
        expected=None,
        p_value=None,
        similarity=finding.least_similarity,
        parameters=params.as_json(),
        case_ids=finding.case_ids,
    )


@dataclass
class ScanResult:
    raised: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)


def alerts_scan(*, today: dt.date | None = None) -> ScanResult:
    """Run both rules over the cases of the last days (the surge's baseline and window, the
    group window) and store their alarms. Safe to repeat: an alert already open for a series is
    updated, and traced only when something changed."""
    today = today or timezone.localdate()
    s_params, g_params = surge_params(), group_params()
    days = max(s_params.baseline_days + s_params.window_days, g_params.window_days)
    records = case_records(today - dt.timedelta(days=days - 1), today)
    observations = [
        _from_surge(f, s_params) for f in detect_surges(records, today=today, params=s_params)
    ]
    observations += [
        _from_group(f, g_params) for f in detect_groups(records, today=today, params=g_params)
    ]
    result = ScanResult()
    for observation in observations:
        alert, created = _store(observation)
        if alert is None:
            continue
        (result.raised if created else result.updated).append(alert)
    return result


def _figures(observation: Observation) -> dict[str, Any]:
    return {
        "region": observation.region,
        "respondent_id": observation.respondent_id,
        "business_type": observation.business_type,
        "product_key": observation.product_key[:200],
        "product": observation.product,
        "window_start": observation.window_start,
        "window_end": observation.window_end,
        "observed": observation.observed,
        "expected": observation.expected,
        "p_value": observation.p_value,
        "similarity": observation.similarity,
        "parameters": observation.parameters,
    }


def _payload(alert: Alert, case_nos: list[str]) -> dict[str, Any]:
    return {
        "alert_id": alert.pk,
        "kind": alert.kind,
        "series": alert.series,
        "region": alert.region,
        "respondent": alert.respondent.code if alert.respondent is not None else None,
        "business_type": alert.business_type,
        "product_sha256": hashlib.sha256(alert.product_key.encode()).hexdigest()
        if alert.product_key
        else None,
        "window_start": alert.window_start.isoformat(),
        "window_end": alert.window_end.isoformat(),
        "observed": alert.observed,
        "expected": _figure(alert.expected),
        "p_value": _figure(alert.p_value),
        "similarity": _figure(alert.similarity),
        "parameters": _canonical(alert.parameters),
        "case_nos": case_nos,
    }


def _store(observation: Observation) -> tuple[Alert | None, bool]:
    """Open or update the alert of ``observation``'s series; (alert, created), or (None, False)
    when nothing changed or every case was already behind a closed alert of the series."""
    actor = Actor.system(SCANNER)
    with transaction.atomic():
        chain = alerts_chain()
        alert = (
            Alert.objects.select_for_update()
            .filter(series_key=observation.series_key)
            .exclude(status=AlertStatus.CLOSED)
            .first()
        )
        wanted = set(observation.case_ids)
        if alert is None:
            # A closed alert is not raised again by the same cases: only a case that no alert
            # of the series has shown yet raises a new one.
            seen = set(
                Alert.cases.through.objects.filter(
                    alert__series_key=observation.series_key
                ).values_list("case_id", flat=True)
            )
            if not wanted - seen:
                return None, False
            alert = Alert.objects.create(
                kind=observation.kind,
                series=observation.series,
                series_key=observation.series_key,
                **_figures(observation),
            )
            alert.cases.add(*wanted)
            case_nos = _case_nos(wanted)
            trace_append(
                chain=chain, action="alert.raised", actor=actor, payload=_payload(alert, case_nos)
            )
            _notify_raised(alert)
            return alert, True
        present = set(alert.cases.values_list("pk", flat=True))
        new = wanted - present
        figures = _figures(observation)
        changed = [name for name, value in figures.items() if getattr(alert, name) != value]
        if not new and not changed:
            return None, False
        for name in changed:
            setattr(alert, name, figures[name])
        alert.save()
        alert.cases.add(*new)
        payload = _payload(alert, _case_nos(wanted))
        payload["added_case_nos"] = _case_nos(new)
        trace_append(chain=chain, action="alert.updated", actor=actor, payload=payload)
        return alert, False


def _case_nos(case_ids: Iterable[int]) -> list[str]:
    return list(
        Case.objects.filter(pk__in=list(case_ids))
        .order_by("case_no")
        .values_list("case_no", flat=True)
    )


# --- Who is told ------------------------------------------------------------------------------


def _members(organizations: Iterable[Organization], roles: Iterable[str]) -> list[User]:
    ids = [o.pk for o in organizations]
    memberships = Membership.objects.filter(
        organization_id__in=ids, role__in=list(roles), is_active=True
    ).select_related("user")
    return [m.user for m in memberships.order_by("user_id")]


def recipients(alert: Alert) -> list[tuple[Organization, list[User]]]:
    """The organizations told of ``alert`` with the users told in each: the regulators of the
    regions of its cases (their officers), the mediation organizations handling them (their
    administrators) and the respondent institution (its staff and administrators)."""
    cases = alert.cases.select_related("organization")
    regions = {c.organization.region.strip() for c in cases if c.organization.region.strip()}
    out: list[tuple[Organization, list[User]]] = []
    regulators = Organization.objects.filter(
        kind=OrgKind.REGULATOR, is_active=True, region__in=sorted(regions)
    ).order_by("code")
    for regulator in regulators:
        out.append((regulator, _members([regulator], [Role.REGULATOR_OFFICER])))
    organizations = Organization.objects.filter(
        pk__in={c.organization_id for c in cases}, is_active=True
    ).order_by("code")
    for organization in organizations:
        out.append((organization, _members([organization], [Role.ORG_ADMIN])))
    if alert.respondent is not None and alert.respondent.is_active:
        out.append(
            (
                alert.respondent,
                _members([alert.respondent], [Role.INSTITUTION_STAFF, Role.ORG_ADMIN]),
            )
        )
    return out


def _notify_raised(alert: Alert) -> None:
    """Notices in the site's default language (a notice is read in any), with a link to the
    alert in each recipient organization's scope."""
    with translation.override(settings.LANGUAGE_CODE):
        if alert.kind == AlertKind.GROUP:
            text = _("Early warning: %(count)d similar applications may be a group dispute.") % {
                "count": alert.observed
            }
        else:
            text = _(
                "Early warning: a surge of %(count)d disputes (about %(expected)s expected)."
            ) % {"count": alert.observed, "expected": f"{alert.expected or 0:.1f}"}
        for organization, users in recipients(alert):
            url = reverse("alerts:detail", kwargs={"scope": organization.code, "pk": alert.pk})
            notify(users, kind="alert.raised", text=text, url=url, sms=False)


# --- Acknowledging and closing ----------------------------------------------------------------


class NotWatching(ServiceError):
    code = "not_found"
    http_status = 404


def _locked(alert: Alert, actor: User) -> Alert:
    if not may_watch(actor, alert):
        raise NotWatching(_("No such alert."))
    return Alert.objects.select_for_update().get(pk=alert.pk)


def alert_acknowledge(alert: Alert, actor: User) -> Alert:
    """Someone watching the alert has seen it (open → acknowledged). Refused (``not_found``) for
    a user none of whose scopes sees the alert."""
    with transaction.atomic():
        chain = alerts_chain()
        locked = _locked(alert, actor)
        if locked.status != AlertStatus.OPEN:
            raise ServiceError(_("Only an open alert can be acknowledged."), code="alert_not_open")
        now = timezone.now()
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_by = actor
        locked.acknowledged_at = now
        locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
        trace_append(
            chain=chain,
            action="alert.acknowledged",
            actor=Actor.for_user(actor),
            payload={"alert_id": locked.pk, "kind": locked.kind},
        )
    return locked


def alert_close(alert: Alert, actor: User, note: str) -> Alert:
    """Close the alert (open or acknowledged → closed) with a note saying what was done; the
    note's SHA-256 goes into the trace. Refused (``not_found``) for a user none of whose scopes
    sees the alert."""
    note = (note or "").strip()
    if not note:
        message = _("Say what was done about the alert.")
        raise ServiceError(message, code="note_required", fields={"note": [message]})
    if len(note) > NOTE_MAX:
        message = _("The note is too long.")
        raise ServiceError(message, code="note_too_long", fields={"note": [message]})
    with transaction.atomic():
        chain = alerts_chain()
        locked = _locked(alert, actor)
        if locked.status == AlertStatus.CLOSED:
            raise ServiceError(_("The alert is already closed."), code="alert_closed")
        now = timezone.now()
        locked.status = AlertStatus.CLOSED
        locked.closed_by = actor
        locked.closed_at = now
        locked.close_note = note
        locked.save(update_fields=["status", "closed_by", "closed_at", "close_note", "updated_at"])
        trace_append(
            chain=chain,
            action="alert.closed",
            actor=Actor.for_user(actor),
            payload={
                "alert_id": locked.pk,
                "kind": locked.kind,
                "note_sha256": hashlib.sha256(note.encode()).hexdigest(),
            },
        )
    return locked
