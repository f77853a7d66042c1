"""What the case services put in the notices they send (``accord.inbox.services.notify``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accord.cases.models import Case


def case_path(case: Case) -> str:
    """The case page's path in the site's default language (a notice is read in any)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("cases:detail", kwargs={"case_no": case.case_no})
