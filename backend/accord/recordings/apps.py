from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "accord.recordings"
    label = "recordings"
    verbose_name = _("Hearing recordings")

    def ready(self) -> None:
        from accord.recordings import verification  # noqa: F401  (registers object checks)
