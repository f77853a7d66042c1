"""Records about mediators (R5): assessments, rewards and penalties, training, and the court's
legal guidance sessions of an organization. Each is one row and one event on the
organization's chain (ids, choice values, numbers, and the SHA-256 of free text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.mediators.figures import case_figures
from accord.mediators.models import (
    Assessment,
    GuidanceSession,
    MediatorProfile,
    RewardPenalty,
    SanctionKind,
    TrainingKind,
    TrainingRecord,
)
from accord.mediators.services import chain_of, refuse, required_text, text_digest
from accord.orgs.models import Organization, Role
from accord.orgs.services import org_chain

MAX_HOURS = Decimal("1000")


def _admin(user: User) -> Actor:
    return Actor.for_user(user, role=Role.ORG_ADMIN)


def _past_date(value: date | None, *, field: str) -> date:
    if value is None or value > timezone.localdate():
        raise refuse(_("Enter a date, not in the future."), code="invalid", field=field)
    return value


def _hours(value: Decimal | str | None) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        hours = Decimal(-1)
    if not Decimal(0) < hours <= MAX_HOURS:
        raise refuse(_("Hours are more than 0 and at most 1000."), code="invalid", field="hours")
    return hours


def assessment_record(
    *,
    profile: MediatorProfile,
    score: int | None,
    comments: str,
    period_start: date | None,
    period_end: date | None,
    assessor: User,
) -> Assessment:
    """An assessment of the period with a score of 0–100; the case figures of the period are
    computed here and kept with it. Traced ``mediator.assessed`` (ids, period, score).
    Refuses ``invalid_score`` and ``invalid_period`` (400)."""
    if score is None or isinstance(score, bool) or not 0 <= score <= 100:
        raise refuse(_("A score is from 0 to 100."), code="invalid_score", field="score")
    if period_start is None or period_end is None or period_start > period_end:
        raise refuse(
            _("Give the period's first and last day, in order."),
            code="invalid_period",
            field="period_end",
        )
    if period_end > timezone.localdate():
        raise refuse(
            _("The period cannot end in the future."), code="invalid_period", field="period_end"
        )
    comments = comments.strip()
    figures = case_figures(profile=profile, period_start=period_start, period_end=period_end)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            profile=profile,
            period_start=period_start,
            period_end=period_end,
            score=score,
            comments=comments,
            figures=figures.snapshot(),
            assessor=assessor,
        )
        trace_append(
            chain=chain_of(profile),
            action="mediator.assessed",
            actor=_admin(assessor),
            payload={
                "profile_id": profile.pk,
                "assessment_id": assessment.pk,
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "score": score,
                "comments_sha256": text_digest(comments),
            },
        )
    return assessment


def reward_penalty_record(
    *, profile: MediatorProfile, kind: str, reason: str, decided_on: date | None, user: User
) -> RewardPenalty:
    """A reward or a penalty with its reason (``mediator.reward`` / ``mediator.penalty``).
    Refuses ``invalid`` and ``reason_required`` (400)."""
    if kind not in SanctionKind.values:
        raise refuse(_("Choose reward or penalty."), code="invalid", field="kind")
    reason = required_text(reason)
    decided_on = _past_date(decided_on, field="decided_on")
    with transaction.atomic():
        record = RewardPenalty.objects.create(
            profile=profile, kind=kind, reason=reason, decided_on=decided_on, recorded_by=user
        )
        trace_append(
            chain=chain_of(profile),
            action=f"mediator.{kind}",
            actor=_admin(user),
            payload={
                "profile_id": profile.pk,
                "record_id": record.pk,
                "decided_on": decided_on.isoformat(),
                "reason_sha256": text_digest(reason),
            },
        )
    return record


def training_record(
    *,
    profile: MediatorProfile,
    kind: str,
    on: date | None,
    hours: Decimal | str | None,
    provider: str,
    topic: str = "",
    user: User,
) -> TrainingRecord:
    """One training (regular, learning by mediating, case study, observation) with its date,
    hours and provider (``mediator.training_recorded``). Refuses ``invalid`` (400)."""
    if kind not in TrainingKind.values:
        raise refuse(_("Choose a kind of training."), code="invalid", field="kind")
    on = _past_date(on, field="date")
    hours_ = _hours(hours)
    provider = provider.strip()
    if not provider:
        raise refuse(_("Name the provider."), code="invalid", field="provider")
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            profile=profile,
            kind=kind,
            date=on,
            hours=hours_,
            provider=provider[:200],
            topic=topic.strip()[:200],
            recorded_by=user,
        )
        trace_append(
            chain=chain_of(profile),
            action="mediator.training_recorded",
            actor=_admin(user),
            payload={
                "profile_id": profile.pk,
                "record_id": record.pk,
                "kind": kind,
                "date": on.isoformat(),
                "hours": str(hours_),
            },
        )
    return record


def guidance_session_record(
    *,
    organization: Organization,
    on: date | None,
    court: str,
    topic: str,
    hours: Decimal | str | None,
    attendees: Sequence[MediatorProfile],
    user: User,
) -> GuidanceSession:
    """A court's legal guidance session for the organization, with the mediators who attended
    (profiles of this organization; at least one). ``guidance.session_recorded``.
    Refuses ``invalid`` (400)."""
    on = _past_date(on, field="date")
    court = court.strip()
    if not court:
        raise refuse(_("Name the court."), code="invalid", field="court")
    topic = topic.strip()
    if not topic:
        raise refuse(_("Give the topic."), code="invalid", field="topic")
    hours_ = _hours(hours)
    if not attendees:
        raise refuse(_("Choose who attended."), code="invalid", field="attendees")
    if any(profile.membership.organization_id != organization.pk for profile in attendees):
        raise refuse(
            _("Attendees are mediators of this organization."), code="invalid", field="attendees"
        )
    with transaction.atomic():
        session = GuidanceSession.objects.create(
            organization=organization,
            date=on,
            court=court[:200],
            topic=topic[:200],
            hours=hours_,
            recorded_by=user,
        )
        session.attendees.set(attendees)
        trace_append(
            chain=org_chain(organization),
            action="guidance.session_recorded",
            actor=_admin(user),
            payload={
                "session_id": session.pk,
                "date": on.isoformat(),
                "hours": str(hours_),
                "attendee_profile_ids": sorted(profile.pk for profile in attendees),
            },
        )
    return session
