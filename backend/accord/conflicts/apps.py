from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConflictsConfig(AppConfig):
    name = "accord.conflicts"
    label = "conflicts"
    verbose_name = _("Conflicts and recusal")

    def ready(self) -> None:
        # In ready(): the models are loaded; cases (a layer below) asks through its hooks and
        # shows the recusal section through its section registry.
        from accord.cases import hooks
        from accord.cases.sections import register_section
        from accord.conflicts.checks import refuse_conflicted_mediator
        from accord.conflicts.sections import recusal_section
        from accord.conflicts.services import pending_lapse

        hooks.on_assignment_check(refuse_conflicted_mediator)
        hooks.on_case_event(pending_lapse)
        register_section(recusal_section)
