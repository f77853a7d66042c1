"""Court docking (R7, R11, R12, R13): the court mediation platform's keys and callback address,
the entrustments courts push, the materials they name, and the callbacks Accord owes them.

An entrustment is held here until the mediation organization decides: accepting opens the case
(``cases.services.case_entrust_by_court``, channel ``court``) with the day the organization
signed for the materials, declining keeps the reason. Either way the court is told through a
:class:`CourtCallback`, a row before it is a task, so that nothing is lost while the court is down.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.core.fields import EncryptedCharField
from accord.orgs.models import Organization


class CourtKey(models.Model):
    """One API key of a court: the court signs its requests with ``secret`` (HMAC-SHA256).

    The secret is kept (encrypted at rest) because the server recomputes the HMAC; it is shown
    once, when the key is made. A revoked key answers ``key_unknown``, like an unknown one."""

    court = models.ForeignKey(
        Organization, verbose_name=_("court"), on_delete=models.PROTECT, related_name="court_keys"
    )
    key_id = models.CharField(_("key id"), max_length=64, unique=True)
    secret = EncryptedCharField(_("secret"), max_length=128)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("court API key")
        verbose_name_plural = _("court API keys")
        ordering = ["court_id", "-created_at"]

    def __str__(self) -> str:
        return self.key_id

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CourtDocking(models.Model):
    """How Accord reaches a court: its callback URL and the key Accord signs callbacks with,
    the mediation organization its entrustments go to when a push names none, and the hosts
    its materials may be fetched from."""

    court = models.OneToOneField(
        Organization, verbose_name=_("court"), on_delete=models.PROTECT, related_name="docking"
    )
    callback_url = models.URLField(_("callback URL"), max_length=500, blank=True)
    callback_key_id = models.CharField(_("callback key id"), max_length=64, blank=True)
    callback_secret = EncryptedCharField(_("callback secret"), max_length=128, blank=True)
    default_organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization by default"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Host names (or host:port) a material's URL may name, comma-separated; empty: the
    # callback URL's host only. Accord fetches from nowhere else (no request forgery).
    material_hosts = models.CharField(_("material hosts"), max_length=500, blank=True)
    # The account the court's platform acts as through the API (a clerk of the court that
    # cannot sign in: no phone, no usable password): recorded on what the court does over the
    # API (a ruling on a confirmation, a required recusal), made on first use.
    platform_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("court docking")
        verbose_name_plural = _("court dockings")

    def __str__(self) -> str:
        return str(self.court)


class CourtNonce(models.Model):
    """A nonce a key has used; kept 10 minutes (the skew window is 5), then swept."""

    key = models.ForeignKey(CourtKey, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "nonce"], name="courts_nonce_once_per_key")
        ]

    def __str__(self) -> str:
        return self.nonce


class EntrustmentKind(models.TextChoices):
    ENTRUSTED = "entrusted", _("Entrusted mediation (委托调解)")
    INVITED = "invited", _("Invited mediation (特邀调解)")


class EntrustmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the organization's decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Entrustment(models.Model):
    """A case a court pushed to a mediation organization, as the court sent it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    court = models.ForeignKey(
        Organization, verbose_name=_("court"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("mediation organization"),
        on_delete=models.PROTECT,
        related_name="entrustments",
    )
    key = models.ForeignKey(
        CourtKey, verbose_name=_("pushed with key"), on_delete=models.PROTECT, related_name="+"
    )
    court_case_no = models.CharField(_("court case number"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=EntrustmentKind.choices)
    applicant_name = models.CharField(_("applicant name"), max_length=200)
    applicant_kind = models.CharField(_("applicant kind"), max_length=20)
    applicant_phone = EncryptedCharField(_("applicant phone"), max_length=20)
    applicant_id_number = EncryptedCharField(_("applicant ID number"), max_length=18, blank=True)
    respondent_name = models.CharField(_("respondent name"), max_length=200)
    respondent_code = models.CharField(_("respondent code"), max_length=32)
    respondent = models.ForeignKey(
        Organization,
        verbose_name=_("respondent institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    business_type = models.CharField(_("business type"), max_length=32)
    claims = models.TextField(_("claims"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True)
    # SHA-256 of the canonical JSON of the body as pushed: a second push of the same number
    # is the same entrustment (200) when it hashes the same, a conflict (409) otherwise.
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EntrustmentStatus.choices,
        default=EntrustmentStatus.PENDING,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entrustment",
    )

    class Meta:
        verbose_name = _("entrustment")
        verbose_name_plural = _("entrustments")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "court_case_no"], name="courts_entrustment_once_per_court_no"
            )
        ]

    def __str__(self) -> str:
        return f"{self.court_case_no} ({self.court.code})"


class MaterialStatus(models.TextChoices):
    FETCHING = "fetching", _("Being fetched")
    STORED = "stored", _("Stored, hash checked")
    MISMATCH = "mismatch", _("Hash does not match (not kept)")
    UNAVAILABLE = "unavailable", _("Could not be fetched")


class EntrustmentMaterial(models.Model):
    """A material the court named by URL; fetched by a task, kept only if it hashes as named."""

    entrustment = models.ForeignKey(Entrustment, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 as named"), max_length=64)
    url = models.URLField(_("URL"), max_length=1000)
    status = models.CharField(
        max_length=16, choices=MaterialStatus.choices, default=MaterialStatus.FETCHING
    )
    attempts = models.PositiveIntegerField(default=0)
    actual_sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    bucket = models.CharField(max_length=63, blank=True)
    object_key = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entrustment_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["entrustment", "position"], name="courts_material_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Gave up (dead letter)")


class CourtCallback(models.Model):
    """One event Accord owes a court. Written in the transaction of the change it tells about;
    a task delivers it after commit, retrying with exponential backoff; after the last attempt
    it waits in the dead-letter list until an administrator resends it."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    court = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The mediation organization whose administrators watch (and resend) it.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="court_callbacks"
    )
    entrustment = models.ForeignKey(
        Entrustment, on_delete=models.PROTECT, null=True, blank=True, related_name="callbacks"
    )
    kind = models.CharField(_("event"), max_length=40)
    body = models.JSONField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("court callback")
        verbose_name_plural = _("court callbacks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.court.code}"


class ReturnMethod(models.TextChoices):
    PLATFORM = "platform", _("Through the court mediation platform")
    POST = "post", _("By post")
    IN_PERSON = "in_person", _("Handed over in person")


class CourtFeedback(models.Model):
    """What the organization owes the court once an entrusted mediation ended (R11): the
    feedback letter (委托调解反馈函, document kind ``court_feedback``) and the return of the
    court's materials, both within 3 working days (the deadline ``court_feedback``)."""

    entrustment = models.OneToOneField(
        Entrustment, on_delete=models.PROTECT, related_name="feedback"
    )
    # The state the case ended in (agreement, failed, terminated, withdrawn, not_mediated).
    outcome = models.CharField(_("outcome"), max_length=20)
    due_at = models.DateTimeField(_("mediation ended at"))
    deadline = models.ForeignKey(
        "deadlines.Deadline", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The version of the letter sent to the court (a draft of it lives in documents).
    letter = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("feedback letter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    materials_returned_at = models.DateTimeField(_("materials returned at"), null=True, blank=True)
    materials_returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_method = models.CharField(
        _("returned how"), max_length=20, choices=ReturnMethod.choices, blank=True
    )
    # E.g. the post's tracking number or who received them at the court.
    return_note = models.CharField(_("return note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("feedback to the court")
        verbose_name_plural = _("feedback to the courts")

    def __str__(self) -> str:
        return f"feedback on {self.entrustment_id}"

    @property
    def is_complete(self) -> bool:
        return self.sent_at is not None and self.materials_returned_at is not None
