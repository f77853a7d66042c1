from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediatorsConfig(AppConfig):
    name = "accord.mediators"
    label = "mediators"
    verbose_name = _("Mediator roster")
