"""Forms of the alert pages: the list's filters and the closing note (the services decide;
their refusals land on the fields through ``add_service_error``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.alerts.models import AlertKind, AlertStatus
from accord.alerts.services import NOTE_MAX


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *AlertStatus.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *AlertKind.choices], required=False
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: the follow-up, or why the alert needs none."),
    )
