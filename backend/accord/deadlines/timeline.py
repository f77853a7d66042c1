"""Labels of the deadline events on the case timeline.

``cases.timeline_registry`` has no registry for action labels yet (only role labels and
session titles), so these are added to ``cases.selectors.ACTION_LABELS`` (a plain dict the
timeline reads at render time) from ``DeadlinesConfig.ready()``; the strings are translated in
this app's catalog.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accord.cases.selectors import ACTION_LABELS, SYSTEM_LABELS, StrOrPromise

DEADLINE_ACTION_LABELS: dict[str, StrOrPromise] = {
    "deadline.opened": _("Time limit started"),
    "deadline.recomputed": _("Time limit recounted"),
    "deadline.met": _("Time limit met"),
    "deadline.missed": _("Time limit closed after it ran out"),
    "deadline.cancelled": _("Time limit cancelled"),
    "deadline.reminded": _("Mediator reminded of a time limit"),
    "deadline.escalated": _("Overdue time limit escalated to the administrators"),
    "deadline.extension_requested": _("Extension of a time limit requested"),
    "deadline.extension_consented": _("A party consented to the extension"),
    "deadline.extension_refused": _("A party refused the extension"),
    "deadline.extension_applied": _("Time limit extended"),
}

DEADLINE_SYSTEM_LABELS: dict[str, StrOrPromise] = {
    "deadlines": _("Time-limit service"),
}


def register_timeline_labels() -> None:
    for action, label in DEADLINE_ACTION_LABELS.items():
        ACTION_LABELS.setdefault(action, label)
    for component, label in DEADLINE_SYSTEM_LABELS.items():
        SYSTEM_LABELS.setdefault(component, label)
