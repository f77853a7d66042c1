from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accord.core.checks import register_checks


class CoreConfig(AppConfig):
    name = "accord.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        register_checks()
