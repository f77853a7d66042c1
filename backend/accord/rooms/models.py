"""Hearing sessions of a case. The video room itself (signaling, SFU) builds on these."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("In progress")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantRole(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Financial institution")
    EXPERT = "expert", _("Independent expert")
    OBSERVER = "observer", _("Observer")


class RecordingState(models.TextChoices):
    OFF = "off", _("Not recording")
    ON = "on", _("Recording")
    PAUSED = "paused", _("Recording paused")


PLENARY = "plenary"


class HearingSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearing_sessions")
    title = models.CharField(_("title"), max_length=200)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    duration_minutes = models.PositiveIntegerField(_("planned duration (minutes)"), default=60)
    # How early participants may enter before the scheduled time.
    join_opens_minutes = models.PositiveIntegerField(_("join opens (minutes before)"), default=15)
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # State only: the recorder (issue 4) follows it.
    recording_state = models.CharField(
        _("recording"), max_length=8, choices=RecordingState.choices, default=RecordingState.OFF
    )
    # Why the mediator paused it (while paused; shown in the room, kept in the trace).
    recording_pause_reason = models.CharField(_("reason for the pause"), max_length=500, blank=True)
    # When the recording first started: the automatic policy starts it once.
    recording_started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hearing session")
        verbose_name_plural = _("hearing sessions")
        ordering = ["scheduled_at"]

    def __str__(self) -> str:
        return f"{self.case.case_no} {self.title}"

    @property
    def join_opens_at(self) -> datetime:
        return self.scheduled_at - timedelta(minutes=self.join_opens_minutes)

    @property
    def join_closes_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)


class SessionParticipant(models.Model):
    session = models.ForeignKey(
        HearingSession, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_participations"
    )
    role = models.CharField(_("role"), max_length=12, choices=ParticipantRole.choices)
    display_name = models.CharField(_("name shown in the room"), max_length=150)
    # The room's durable state per participant; who is connected right now lives in Redis.
    notice_acknowledged_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False)
    # "plenary" or "caucus-<slug>": the SFU forwards media only within one group.
    group = models.CharField(max_length=40, default=PLENARY)
    # The trace's view of the participant's stay (services.room_join/room_leave): when its
    # room.joined was written, when the last connection closed (the room.left not written
    # yet: a reconnect within ACCORD_ROOM_REJOIN_GRACE_SECONDS continues the stay), and how
    # many connections the stay had after the first (summarized in its room.left).
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    reconnects = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("session participant")
        verbose_name_plural = _("session participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="rooms_participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role})"


class JoinLink(models.Model):
    """A one-time, expiring link for one participant; confirmed by a code to their phone.

    Only the token's hash is stored: the link is shown once, when it is created.
    """

    participant = models.ForeignKey(
        SessionParticipant, on_delete=models.CASCADE, related_name="join_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # When the SMS carrying it was handed to the gateway (None: not sent, or sending failed).
    sent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("join link")
        verbose_name_plural = _("join links")

    def __str__(self) -> str:
        return f"join link for {self.participant_id} until {self.expires_at:%Y-%m-%d %H:%M}"
