from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "accord.trust"
    label = "trust"
    verbose_name = _("Seals and timestamps")

    def ready(self) -> None:
        # In ready(): the models are loaded. verification registers the anchor check of
        # `accord verify-case`; the checks join those of accord.core.checks.
        from accord.trust import verification  # noqa: F401
        from accord.trust.checks import register_checks

        register_checks()
