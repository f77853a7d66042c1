from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "accord.recordings"
    label = "recordings"
    verbose_name = _("Hearing recordings")

    def ready(self) -> None:
        # In ready(): the models are loaded. verification registers the object checks of
        # `accord verify-case`; tasks registers the finalize queue (accord.recordings.queue).
        from accord.recordings import tasks, verification  # noqa: F401
