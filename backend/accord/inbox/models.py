"""Notices to users: what happened on their cases that they need to know or do (R4, R11).

A notice is a row a user reads on the notices page; with a phone number on the account it
also goes out by SMS (``tasks.send_notice_sms``), after the transaction that wrote it commits.
Notices are not the record of what happened (that is the trace); they may be read, and they are
erased with the account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    # What kind of notice (``recusal.applied``, ``deadline.reminder``…): for filtering and for
    # the SMS template, never shown as such.
    kind = models.CharField(_("kind"), max_length=64)
    case_no = models.CharField(_("case number"), max_length=40, blank=True, db_index=True)
    text = models.TextField(_("text"))
    # Where the notice leads (a path on this site), "" when nowhere.
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_notice_unread")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id}"
