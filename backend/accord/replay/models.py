"""Explicit access to a case's recordings and evidence package (R7, issue 5).

Auditors of the case's organizations have access by default (see
:mod:`accord.replay.access`); anyone else only through a :class:`ReplayGrant`
made by an administrator or auditor of the case's mediation organization.
Grants are never deleted: revoking sets ``revoked_at``, and both are trace events.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case


class ReplayGrant(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="replay_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted to"),
        on_delete=models.PROTECT,
        related_name="replay_grants",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    include_caucus = models.BooleanField(_("includes caucus recordings"), default=False)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("replay grant")
        verbose_name_plural = _("replay grants")
        ordering = ["case_id", "-granted_at", "-id"]
        constraints = [
            # One live grant per user and case: a new grant replaces (revokes) the old one.
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="replay_one_live_grant_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"replay grant {self.pk} on {self.case_id} to {self.user_id}"

    def is_active_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)


class MediaRead(models.Model):
    """The first read of a final recording file by a user (issue 13): a plain ranged GET of
    the media URL, without the replay page, is traced once per (user, file) as
    ``replay.media_read``; this row is the marker that makes the trace idempotent."""

    # Only the marker of idempotency: the trace event is the record, and stays.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey("recordings.RecordingFile", on_delete=models.CASCADE, related_name="+")
    first_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("media read")
        verbose_name_plural = _("media reads")
        constraints = [
            models.UniqueConstraint(fields=["user", "file"], name="replay_one_read_per_user_file"),
        ]

    def __str__(self) -> str:
        return f"file {self.file_id} first read by {self.user_id}"
