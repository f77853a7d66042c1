from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "accord.rooms"
    label = "rooms"
    verbose_name = _("Hearing sessions")

    def ready(self) -> None:
        # Imported here, not at the top: it imports models, which exist only once apps load.
        from accord.cases.sections import register_section
        from accord.rooms.sections import hearings_section

        register_section(hearings_section)
