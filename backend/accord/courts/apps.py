from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtsConfig(AppConfig):
    name = "accord.courts"
    label = "courts"
    verbose_name = _("Court docking")
