from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "accord.evidence"
    label = "evidence"
    verbose_name = _("Evidence packages and replay access")

    def ready(self) -> None:
        from accord.evidence import checks  # noqa: F401  (registers the orphan-segment check)
