from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmallclaimsConfig(AppConfig):
    name = "accord.smallclaims"
    label = "smallclaims"
    verbose_name = _("Small-claim fast track")
