"""Sign-in forms. They only check presence; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.core.api import ServiceError


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class PasswordForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def add_service_error(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's refusal on the form: on its field when the form has it."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for field, messages in exc.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
