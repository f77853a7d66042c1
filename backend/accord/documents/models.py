"""Documents of a case (调解协议书, 调解笔录, …): each draft is a stored, hashed PDF version.

A ``Document`` is one paper of one kind on one case; each save of its form is a new
``DocumentVersion`` whose PDF sits in object storage (``S3_BUCKET_DOCUMENTS``) and whose key and
SHA-256 are on the case's trace (``document.drafted``). Older versions stay readable: a new one
supersedes the previous, it does not replace its bytes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Mediation agreement")
    RECORD = "record", _("Mediation record")
    FAILURE_NOTICE = "failure_notice", _("Notice of unsuccessful mediation")
    EVALUATION_REPORT = "evaluation_report", _("Neutral evaluation report")
    SMALLCLAIM_PROPOSAL = "smallclaim_proposal", _("Small-claim mediation proposal")
    NOTARIZATION_REFERRAL = "notarization_referral", _("Notarization referral")
    CONFIRMATION_APPLICATION = "confirmation_application", _("Judicial confirmation application")
    COURT_FEEDBACK = "court_feedback", _("Court feedback letter")


class DocumentLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", "中文"
    EN = "en", "English"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNING = "signing", _("Out for signing")
    SEALED = "sealed", _("Sealed")
    SUPERSEDED = "superseded", _("Superseded")


class Document(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=DocumentLanguage.choices,
        default=DocumentLanguage.ZH_HANS,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.case_no} {self.kind}"

    @property
    def current(self) -> DocumentVersion | None:
        """The latest version (the one that counts; the earlier ones are superseded)."""
        return self.versions.order_by("-number").first()


class DocumentVersion(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # What the drafter entered, plus ``case``: the case data frozen at rendering time.
    fields = models.JSONField(default=dict)
    bucket = models.CharField(max_length=63)
    storage_key = models.CharField(max_length=400)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # The organization's seal (a PAdES signature over this version's PDF), once applied.
    sealed_key = models.CharField(max_length=400, blank=True)
    sealed_sha256 = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class SignerSide(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    INSTITUTION = "institution", _("Financial institution")
    MEDIATOR = "mediator", _("Mediator")


class Signature(models.Model):
    """One side's signature on one exact version (its SHA-256 as shown to the signer)."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=16, choices=SignerSide.choices)
    signed_sha256 = models.CharField(max_length=64)
    image_bucket = models.CharField(max_length=63, blank=True)
    image_key = models.CharField(max_length=400, blank=True)
    image_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["version", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "side"], name="signature_version_side")
        ]

    def __str__(self) -> str:
        return f"{self.version} signed by {self.side}"


class SignCode(models.Model):
    """A one-time code sent to a signer's phone to confirm one signature (stored keyed-hashed)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"sign code {self.pk} for {self.version_id}"
