"""Template helpers of the case pages: file kinds in words, what an upload accepts."""

from __future__ import annotations

from django import template
from django.conf import settings

from accord.cases.file_kinds import accepted_in_words, file_kind

register = template.Library()


@register.filter(name="file_kind")
def file_kind_filter(mime: str) -> str:
    return file_kind(mime)


@register.simple_tag
def accepted_evidence() -> str:
    return accepted_in_words(settings.EVIDENCE_ALLOWED_TYPES, settings.EVIDENCE_MAX_BYTES)
