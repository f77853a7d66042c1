"""Template helpers of the case forms."""

from __future__ import annotations

from django import forms, template

from accord.cases.forms import ErrorLink, error_summary

register = template.Library()


@register.filter(name="error_summary")
def error_summary_filter(form: forms.Form) -> list[ErrorLink]:
    return error_summary(form)
