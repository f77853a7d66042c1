"""Court docking forms. They shape input; ``courts.services`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.cases.models import CaseComplexity
from accord.courts.services.entrustments import REASON_MAX
from accord.orgs.models import Organization, OrgKind


class AcceptForm(forms.Form):
    materials_signed_on = forms.DateField(
        label=_("Signed for the court's materials on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    complexity = forms.ChoiceField(
        label=_("Complexity"), choices=CaseComplexity.choices, initial=CaseComplexity.NORMAL
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["materials_signed_on"].initial = timezone.localdate


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining (sent to the court)"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the organization declines the entrustment.")},
    )


class DockingForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Mediation organization by default"), queryset=Organization.objects.none()
    )
    callback_url = forms.URLField(
        label=_("Callback URL"), max_length=500, required=False, assume_scheme="https"
    )
    callback_key_id = forms.CharField(label=_("Callback key id"), max_length=64, required=False)
    callback_secret = forms.CharField(
        label=_("Callback secret"),
        max_length=128,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the secret stored; it is never shown."),
    )
    material_hosts = forms.CharField(
        label=_("Material hosts"),
        max_length=500,
        required=False,
        help_text=_(
            "Host names (or host:port) materials may be fetched from, separated by commas; "
            "empty: the callback URL's host only."
        ),
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if organizations.count() == 1:
            field.initial = organizations.first()


class DockingCreateForm(DockingForm):
    court = forms.ModelChoiceField(label=_("Court"), queryset=Organization.objects.none())
    field_order = ["court", "organization"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["court"]
        assert isinstance(field, forms.ModelChoiceField)
        # Courts without a docking: a docked court is changed on its own page.
        field.queryset = Organization.objects.filter(
            kind=OrgKind.COURT, is_active=True, docking__isnull=True
        ).order_by("name")
