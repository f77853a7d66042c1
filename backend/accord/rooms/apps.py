from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "accord.rooms"
    label = "rooms"
    verbose_name = _("Hearing sessions")

    def ready(self) -> None:
        # In ready(): the models are loaded; the case timeline (a layer below) asks through these.
        from accord.audit.erasure import register_personal_data
        from accord.cases import hooks
        from accord.cases.sections import register_section
        from accord.cases.timeline_registry import register_role_labels, register_session_titles
        from accord.rooms import services
        from accord.rooms.erasure import ROOMS_PERSONAL_DATA
        from accord.rooms.models import ParticipantRole
        from accord.rooms.sections import hearings_section
        from accord.rooms.selectors import session_titles_of_case

        register_role_labels(dict(ParticipantRole.choices))
        register_session_titles(session_titles_of_case)
        register_personal_data(ROOMS_PERSONAL_DATA)
        hooks.on_case_transition(services.sessions_follow_case)
        # A recused or replaced mediator is put out of the case's live rooms at once.
        hooks.on_case_event(services.participants_follow_mediator)
        register_section(hearings_section)
