"""Sections that apps above ``cases`` add to the case page, without ``cases`` importing them.

The case page lists what other apps contribute (hearings, their replay, …): each registers a
provider in its ``AppConfig.ready()``; a provider returns the section to show, or ``None``
when there is nothing for this user on this case. Providers run in registration order, and a
section's ``order`` places it on the page (lower first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from accord.cases.models import Case


@dataclass(frozen=True, slots=True)
class SectionContent:
    """A template included on the case page with its own context (``case`` and ``request``
    are available to it as well)."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 100


SectionProvider = Callable[[HttpRequest, Case], SectionContent | None]

_providers: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> SectionProvider:
    """Add ``provider`` to the case page (once: registering it again changes nothing)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def case_sections(*, request: HttpRequest, case: Case) -> list[SectionContent]:
    """What the registered providers show ``request.user`` on ``case``, in page order."""
    found = [section for provider in _providers if (section := provider(request, case))]
    return sorted(found, key=lambda section: section.order)
