from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "accord.rooms"
    label = "rooms"
    verbose_name = _("Hearing sessions")

    def ready(self) -> None:
        from accord.cases import hooks  # models load after apps: import in ready()
        from accord.rooms import services

        hooks.on_case_transition(services.sessions_follow_case)
