from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "accord.evaluation"
    label = "evaluation"
    verbose_name = _("Neutral evaluation")

    def ready(self) -> None:
        # In ready(): the models are loaded; cases (a layer below) asks through its registries.
        from accord.cases import hooks
        from accord.cases.audit_scope import register_audit_scope
        from accord.cases.sections import register_section
        from accord.evaluation.sections import evaluation_section
        from accord.evaluation.selectors import expert_case_ids
        from accord.evaluation.services import (
            evaluations_follow_event,
            evaluations_follow_transition,
        )
        from accord.evaluation.timeline import register_timeline_labels

        # The declared expert reads the case page and its materials (read only, contact
        # details masked): that one case, while the appointment stands.
        register_audit_scope(expert_case_ids)
        register_section(evaluation_section)
        # A case that leaves mediation or goes to another organization cancels its evaluation.
        hooks.on_case_transition(evaluations_follow_transition)
        hooks.on_case_event(evaluations_follow_event)
        register_timeline_labels()
