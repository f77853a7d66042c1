from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "accord.deadlines"
    label = "deadlines"
    verbose_name = _("Time limits")

    def ready(self) -> None:
        # In ready(): the models are loaded; the layers below ask through these registries.
        from accord.cases import hooks
        from accord.cases.sections import register_section
        from accord.deadlines import follow
        from accord.deadlines.sections import deadlines_section
        from accord.deadlines.timeline import register_timeline_labels
        from accord.workdays.hooks import on_calendar_changed

        hooks.on_case_transition(follow.deadlines_follow_transition)
        hooks.on_case_event(follow.deadlines_follow_event)
        on_calendar_changed(follow.deadlines_follow_calendar)
        register_section(deadlines_section)
        register_timeline_labels()
