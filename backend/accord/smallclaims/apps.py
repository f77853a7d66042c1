from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmallclaimsConfig(AppConfig):
    name = "accord.smallclaims"
    label = "smallclaims"
    verbose_name = _("Small-claim fast track")

    def ready(self) -> None:
        # In ready(): the models are loaded; cases (a layer below) calls back through this.
        from accord.cases.sections import register_section
        from accord.smallclaims.sections import smallclaim_section

        register_section(smallclaim_section)
