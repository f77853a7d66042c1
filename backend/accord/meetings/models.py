"""Joint meetings (联席会议, R16): the courts, regulators and mediation organizations meet to
coordinate. A meeting is convened by one organization (its scope owns it), lists its attendees
(organizations and people), the cases and alerts discussed, the decisions taken and the
follow-ups, each with an owner and a due date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.alerts.models import Alert
from accord.cases.models import Case
from accord.orgs.models import Organization


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class JointMeeting(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("convening organization"),
        on_delete=models.PROTECT,
        related_name="convened_meetings",
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    cases = models.ManyToManyField(
        Case, verbose_name=_("cases discussed"), related_name="joint_meetings", blank=True
    )
    alerts = models.ManyToManyField(
        Alert, verbose_name=_("alerts discussed"), related_name="joint_meetings", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Planned or held: its parts may still be recorded (a cancelled meeting is closed)."""
        return self.status != MeetingStatus.CANCELLED


class MeetingAttendee(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="attendees")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.INVITED
    )

    class Meta:
        ordering = ["organization__name", "pk"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.person}"

    @property
    def person(self) -> str:
        """The attendee's name as shown: the account's display name, else the name entered."""
        if self.user is not None:
            return str(self.user)
        return self.name


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="decisions")
    order = models.PositiveIntegerField(_("order"))
    text = models.TextField(_("decision"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="meetings_decision_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:50]}"


class FollowUp(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.TextField(_("follow-up"))
    owner_organization = models.ForeignKey(
        Organization, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (person)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("note"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The reminder sweep (accord.meetings.sweep): each notice goes once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_overdue(self) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_on < timezone.localdate()
