"""Django admin: configuration only. Every save or delete is traced on the organization's chain."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from accord.accounts.admin import search_by_phone
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.orgs.models import ComplaintChannel, MediationRules, Membership, Organization
from accord.orgs.services import org_chain


def _organization_of(obj: models.Model) -> Organization | None:
    if isinstance(obj, Organization):
        return obj
    organization = getattr(obj, "organization", None)
    return organization if isinstance(organization, Organization) else None


def _trace_config(
    request: HttpRequest, obj: models.Model, action: str, payload: dict[str, Any]
) -> None:
    organization = _organization_of(obj)
    if organization is None:  # e.g. a system-wide role: nothing org-scoped to trace
        return
    trace_append(
        chain=org_chain(organization),
        action=action,
        actor=Actor.for_user(request.user),
        payload={"model": obj._meta.model_name or "", "object_id": obj.pk, **payload},
    )


class TracedAdmin(admin.ModelAdmin):  # unsubscripted: Django classes are not generic at runtime
    """Writes a ``config.changed``/``config.deleted`` event with each admin change."""

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: ModelForm[Any], change: bool
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            _trace_config(
                request,
                obj,
                "config.changed" if change else "config.created",
                {"fields": sorted(form.changed_data), "via": "admin"},
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            _trace_config(request, obj, "config.deleted", {"via": "admin"})
            super().delete_model(request, obj)

    def save_formset(
        self,
        request: HttpRequest,
        form: Any,
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        """Inlines (rules, channels on an organization) are traced like the parent."""
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _trace_config(request, obj, "config.created", {"fields": [], "via": "admin"})
        for obj, fields in formset.changed_objects:
            _trace_config(
                request, obj, "config.changed", {"fields": sorted(fields), "via": "admin"}
            )
        for obj in formset.deleted_objects:
            _trace_config(request, obj, "config.deleted", {"via": "admin"})

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class MediationRulesInline(admin.StackedInline):
    model = MediationRules
    can_delete = False
    extra = 0


class ComplaintChannelInline(admin.TabularInline):
    model = ComplaintChannel
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(TracedAdmin):
    list_display = ("code", "name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_en")
    raw_id_fields = ("seal_holder",)
    readonly_fields = ("chain", "created_at")
    inlines = (MediationRulesInline, ComplaintChannelInline)

    def has_delete_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        # Cases and the trace refer to organizations: deactivate instead.
        return False


@admin.register(MediationRules)
class MediationRulesAdmin(TracedAdmin):
    list_display = ("organization", "days_simple", "days_normal", "days_complex", "fee_free")


@admin.register(ComplaintChannel)
class ComplaintChannelAdmin(TracedAdmin):
    list_display = ("organization", "scope", "name", "phone", "url")
    list_filter = ("scope",)


@admin.register(Membership)
class MembershipAdmin(TracedAdmin):
    list_display = ("user", "role", "organization", "is_active", "created_at")
    list_filter = ("role", "is_active", "organization__kind")
    # The phone is encrypted: a whole number is found through its lookup hash.
    search_fields = ("user__username", "organization__code")
    raw_id_fields = ("user", "organization")

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet[Membership], search_term: str
    ) -> tuple[models.QuerySet[Membership], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        return found | search_by_phone(queryset, search_term, path="user__phone_lookup"), duplicates
