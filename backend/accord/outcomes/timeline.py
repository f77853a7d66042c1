"""Labels of the outcome events on the case timeline (added to
``cases.selectors.ACTION_LABELS`` from ``OutcomesConfig.ready()``, as the deadlines do; the
strings are translated in this app's catalog)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accord.cases.selectors import ACTION_LABELS, SYSTEM_LABELS, StrOrPromise

OUTCOME_ACTION_LABELS: dict[str, StrOrPromise] = {
    "performance.opened": _("The agreement took effect: obligations to perform"),
    "performance.consequences_notified": _(
        "The parties were told the consequences of not performing"
    ),
    "obligation.performed": _("Performance of an obligation confirmed"),
    "obligation.reminded": _("The obligor was reminded of an obligation"),
    "obligation.overdue": _("An overdue obligation was flagged to the mediator"),
    "confirmation.requested": _("Judicial confirmation applied for"),
    "confirmation.consented": _("The other party joined the application for confirmation"),
    "confirmation.filed": _("Application for judicial confirmation filed with the court"),
    "confirmation.confirmed": _("The court confirmed the agreement"),
    "confirmation.rejected": _("The court rejected the application for confirmation"),
    "confirmation.package_downloaded": _("Judicial confirmation package downloaded"),
    "notarization.requested": _("Notarization with enforcement effect requested"),
    "notarization.consented": _("Consent to notarization recorded"),
    "notarization.referred": _("Agreement referred to the notary office"),
    "notarization.notarized": _("The notary office notarized the agreement"),
    "notarization.refused": _("The notary office refused to notarize the agreement"),
    "notarization.document_accessed": _("Notarization document opened"),
    "failure.notice_issued": _("Failure notice issued"),
    "failure.referred": _("Failed case referred to arbitration or litigation"),
    "failure.notice_accessed": _("Failure notice opened by the court"),
}

OUTCOME_SYSTEM_LABELS: dict[str, StrOrPromise] = {
    "outcomes": _("Performance service"),
}


def register_timeline_labels() -> None:
    for action, label in OUTCOME_ACTION_LABELS.items():
        ACTION_LABELS.setdefault(action, label)
    for component, label in OUTCOME_SYSTEM_LABELS.items():
        SYSTEM_LABELS.setdefault(component, label)
