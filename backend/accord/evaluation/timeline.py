"""Labels of the evaluation events on the case timeline.

Like ``deadlines.timeline``: ``cases.timeline_registry`` has no registry for action labels, so
they are added to ``cases.selectors.ACTION_LABELS`` (and the codes of ``evaluation.cancelled``
to ``REASON_LABELS``) from ``EvaluationConfig.ready()``; translated in this app's catalog.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accord.cases.selectors import ACTION_LABELS, REASON_LABELS, StrOrPromise
from accord.evaluation.models import CancelCause

EVALUATION_ACTION_LABELS: dict[str, StrOrPromise] = {
    "evaluation.requested": _("Neutral evaluation requested"),
    "evaluation.expert_appointed": _("Independent expert appointed"),
    "evaluation.conflict_overridden": _("Expert appointed despite a declared conflict"),
    "evaluation.expert_replaced": _("Independent expert replaced"),
    "evaluation.expert_declined": _("The independent expert declined the evaluation"),
    "evaluation.independence_declared": _("The independent expert declared their independence"),
    "evaluation.report_drafted": _("Evaluation report drafted"),
    "evaluation.reported": _("Evaluation report delivered to the parties (advisory)"),
    "evaluation.report_opened": _("Evaluation report opened"),
    "evaluation.cancelled": _("Neutral evaluation cancelled"),
}


def register_timeline_labels() -> None:
    for action, label in EVALUATION_ACTION_LABELS.items():
        ACTION_LABELS.setdefault(action, label)
    REASON_LABELS.setdefault(
        "evaluation.cancelled", {cause.value: cause.label for cause in CancelCause}
    )
