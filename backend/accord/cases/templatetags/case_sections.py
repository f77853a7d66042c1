"""``{% load case_sections %}{% case_sections case %}``: the sections other apps add to the
case page (:mod:`accord.cases.sections`)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from accord.cases.models import Case
from accord.cases.sections import case_sections as sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def case_sections(context: template.Context, case: Case) -> SafeString:
    request = context.get("request")
    if not isinstance(request, HttpRequest):
        return SafeString("")
    rendered = [
        render_to_string(section.template, {**section.context, "case": case}, request=request)
        for section in sections_for(request=request, case=case)
    ]
    return format_html_join("\n", "{}", ((SafeString(html),) for html in rendered))
