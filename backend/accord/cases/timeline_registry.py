"""What the apps above cases add to the case timeline, without cases importing them.

The case timeline (:func:`accord.cases.selectors.case_timeline`) names the hearings its events
belong to and the roles of their actors; hearings live in ``accord.rooms``, a layer above. Such
apps register here in their ``AppConfig.ready()``: labels for the roles they give, and a
provider of the titles of the things their events name by ``session_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.functional import Promise

StrOrPromise = str | Promise
# The titles of a case's sessions (hearings): {session id as str: title}, given the case's pk.
TitleProvider = Callable[[int], Mapping[str, str]]

_role_labels: dict[str, StrOrPromise] = {}
_title_providers: list[TitleProvider] = []


def register_role_labels(labels: Mapping[str, StrOrPromise]) -> None:
    _role_labels.update(labels)


def register_session_titles(provider: TitleProvider) -> None:
    if provider not in _title_providers:
        _title_providers.append(provider)


def role_labels() -> Mapping[str, StrOrPromise]:
    return _role_labels


def session_titles(case_id: int) -> dict[str, str]:
    titles: dict[str, str] = {}
    for provider in _title_providers:
        titles.update(provider(case_id))
    return titles
