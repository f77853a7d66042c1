"""Django admin: configuration only. Every change is traced on the user's chain."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import SignInLink, User
from accord.accounts.phones import is_valid_phone, mask_phone, normalize_phone
from accord.accounts.services import totp_reset_by_admin, user_chain
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.core.api import ServiceError
from accord.core.crypto import lookup_hash


def _admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's own login form knows no second factor: send staff through ours."""
    return redirect_to_login(request.get_full_path(), reverse("accounts:staff_signin"))


admin.site.login = _admin_login  # type: ignore[method-assign]


def search_by_phone(
    queryset: QuerySet[Any], search_term: str, *, path: str = "phone_lookup"
) -> QuerySet[Any]:
    """Rows of ``queryset`` whose (encrypted) phone number is ``search_term``: the column
    cannot be searched by substring, so a whole number is matched by its lookup hash."""
    phone = normalize_phone(search_term.strip())
    if not is_valid_phone(phone):
        return queryset.none()
    return queryset.filter(**{path: lookup_hash(phone)})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "masked_phone",
        "is_active",
        "is_staff",
        "totp_enrolled",
    )
    list_filter = ("is_active", "is_staff", "is_superuser")
    # The phone is encrypted: a whole number is found by get_search_results below.
    search_fields = ("username", "display_name", "email")
    ordering = ("username",)
    readonly_fields = ("totp_confirmed_at", "date_joined", "last_login", "chain")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "phone", "email", "preferred_language")}),
        (_("Second factor"), {"fields": ("totp_confirmed_at",)}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Record"), {"fields": ("date_joined", "last_login", "chain")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
    )
    actions = ("reset_second_factor",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        return found | search_by_phone(queryset, search_term), duplicates

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone) if obj.phone else ""

    @admin.display(boolean=True, description=_("TOTP set up"))
    def totp_enrolled(self, obj: User) -> bool:
        return obj.totp_confirmed_at is not None

    @admin.action(description=_("Reset the second factor (the next sign-in sets up a new one)"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        admin_user = request.user
        assert isinstance(admin_user, User)  # the admin site serves signed-in users only
        done = 0
        for user in queryset:
            try:
                totp_reset_by_admin(user=user, by=admin_user)
            except ServiceError as exc:
                messages.error(request, f"{user}: {exc.message}")
            else:
                done += 1
        if done:
            messages.success(request, _("Second factor reset."))

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = sorted(set(form.changed_data) - {"password", "password1", "password2"})
            if "password" in form.changed_data or "password1" in form.changed_data:
                changed.append("password")
            trace_append(
                chain=user_chain(obj),
                action="account.changed" if change else "account.created",
                actor=Actor.for_user(request.user),
                payload={"user_id": obj.pk, "fields": changed, "via": "admin"},
            )


@admin.register(SignInLink)
class SignInLinkAdmin(admin.ModelAdmin):  # unsubscripted: no runtime generics here
    list_display = ("user", "next_url", "created_at", "expires_at", "used_at", "is_demo")
    list_filter = ("is_demo",)
    readonly_fields = (
        "user",
        "token_hash",
        "next_url",
        "created_at",
        "expires_at",
        "used_at",
        "is_demo",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Links are made by services (the token is shown once), never typed in.
        return False
