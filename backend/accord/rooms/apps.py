from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "accord.rooms"
    label = "rooms"
    verbose_name = _("Hearing sessions")

    def ready(self) -> None:
        from accord.audit.erasure import register_personal_data
        from accord.rooms.erasure import ROOMS_PERSONAL_DATA

        register_personal_data(ROOMS_PERSONAL_DATA)
