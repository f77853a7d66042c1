from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediatorsConfig(AppConfig):
    name = "accord.mediators"
    label = "mediators"
    verbose_name = _("Mediator roster")

    def ready(self) -> None:
        # In ready(): the models are loaded; cases (a layer below) calls back through these.
        from accord.audit.erasure import register_personal_data
        from accord.cases import hooks
        from accord.cases.sections import register_section
        from accord.mediators.checks import refuse_unavailable_mediator
        from accord.mediators.feedback import FEEDBACK_PERSONAL_DATA, feedback_open_on_close
        from accord.mediators.sections import roster_section

        hooks.on_assignment_check(refuse_unavailable_mediator)
        hooks.on_case_transition(feedback_open_on_close)
        register_section(roster_section)
        register_personal_data(FEEDBACK_PERSONAL_DATA)
