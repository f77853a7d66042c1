"""Users. Roles come from memberships (accord.orgs.models.Membership)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.accounts.phones import PHONE_RE, mask_phone
from accord.audit.models import TraceChain
from accord.core.crypto import lookup_hash
from accord.core.fields import EncryptedCharField, LookupHashField

# Mainland mobile numbers: 11 digits starting with 1.
phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13800138000.")
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        if not username:
            raise ValueError("username is required")
        user = self.model(username=username, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in.

    Applicants sign in with phone + one-time code (their ``username`` is a pseudonym,
    ``applicant-<hex>``, and they have no usable password). Staff of organizations sign
    in with username + password + TOTP.
    """

    username = models.CharField(_("username"), max_length=150, unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    # Encrypted at rest (accord.core.crypto); found by its lookup hash, which is unique.
    phone = EncryptedCharField(
        _("mobile phone"),
        max_length=11,
        null=True,
        blank=True,
        validators=[phone_validator],
    )
    phone_lookup = LookupHashField(source="phone", unique=True)
    email = models.EmailField(_("email"), blank=True)
    # Django admin access (configuration only), not a business role.
    is_staff = models.BooleanField(_("admin site access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # The TOTP seed, encrypted at rest: a database dump must not let anyone make codes.
    totp_secret = EncryptedCharField(max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    preferred_language = models.CharField(max_length=10, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person's personal data was erased (accounts.services.person_erase).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # The user's security events (sign-ins, failures, second factor): created on first use.
    chain = models.OneToOneField(
        TraceChain, on_delete=models.PROTECT, null=True, blank=True, related_name="user"
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        """The person's name; never a phone number (older applicant usernames are one)."""
        if self.erased_at is not None:
            return str(_("Erased user"))
        if self.display_name:
            return self.display_name
        if self.username and not PHONE_RE.match(self.username) and not self.is_pseudonymous:
            return self.username
        return str(_("User %(id)s") % {"id": self.pk})

    @property
    def is_pseudonymous(self) -> bool:
        """An applicant's username (``applicant-<hex>``) says nothing to people."""
        return self.username.startswith(("applicant-", "erased-"))

    def get_short_name(self) -> str:
        return self.get_full_name()

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        """The phone is unique through its lookup hash (the column itself is encrypted)."""
        super().validate_unique(exclude)
        if self.phone and (exclude is None or "phone" not in exclude):
            taken = User.objects.filter(phone_lookup=lookup_hash(self.phone))
            if taken.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"phone": _("A user with this mobile phone number already exists.")}
                )


class SignInCode(models.Model):
    """A one-time code sent by SMS to a phone number.

    Only the keyed hash is stored, so a database dump does not reveal live
    codes. Wrong tries are counted in Redis (see ``accord.accounts.ratelimit``)
    so that a refused try writes nothing to the database.
    """

    phone = EncryptedCharField(_("mobile phone"), max_length=11)
    phone_lookup = LookupHashField(source="phone")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [
            models.Index(fields=["phone_lookup", "-created_at"], name="accounts_code_phone_recent")
        ]

    def __str__(self) -> str:
        return f"code for {mask_phone(self.phone)} at {self.created_at:%Y-%m-%d %H:%M}"


class SignInLink(models.Model):
    """A one-time sign-in link (demo sessions, invitations). Stores the token's hash."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="signin_links")
    token_hash = models.CharField(max_length=64, unique=True)
    next_url = models.CharField(_("next page"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # ACCORD_DEMO only: a demo link lets later steps skip the phone confirmation.
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self) -> str:
        return f"link for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
