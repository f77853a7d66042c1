from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReplayConfig(AppConfig):
    name = "accord.replay"
    label = "replay"
    verbose_name = _("Hearing replay")

    def ready(self) -> None:
        # Imported here, not at the top: it imports models, which exist only once apps load.
        from accord.cases.sections import register_section
        from accord.replay.sections import replay_links, verification_section
        from accord.rooms.sections import register_hearing_links

        register_hearing_links(replay_links)
        register_section(verification_section)
