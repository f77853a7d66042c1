from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmallclaimsConfig(AppConfig):
    name = "accord.smallclaims"
    label = "smallclaims"
    verbose_name = _("Small-claim fast track")

    def ready(self) -> None:
        # In ready(): the models are loaded; cases (a layer below) calls back through this.
        from accord.cases import hooks
        from accord.cases.sections import register_section
        from accord.smallclaims.sections import smallclaim_section
        from accord.smallclaims.services.proposals import proposals_cancel_on_transition

        register_section(smallclaim_section)
        hooks.on_case_transition(proposals_cancel_on_transition)
