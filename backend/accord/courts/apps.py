from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtsConfig(AppConfig):
    name = "accord.courts"
    label = "courts"
    verbose_name = _("Court docking")

    def ready(self) -> None:
        # In ready(): the models are loaded; cases and outcomes (layers below) call back
        # through these registries.
        from accord.cases import hooks
        from accord.cases.sections import register_section
        from accord.courts.sections import court_section
        from accord.courts.services.confirmations import confirmation_filed_callback
        from accord.courts.services.feedback import (
            feedback_follow_transition,
            refuse_closing_before_feedback,
        )
        from accord.outcomes.hooks import on_confirmation_filed

        hooks.on_case_transition(feedback_follow_transition)
        hooks.on_case_transition(refuse_closing_before_feedback)
        on_confirmation_filed(confirmation_filed_callback)
        register_section(court_section)
