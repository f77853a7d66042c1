from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "accord.orgs"
    label = "orgs"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        # In ready(): the models are loaded; accounts (the layer below) asks through these.
        from accord.accounts.roles import register_applicant_role, register_staff_check
        from accord.orgs.selectors import is_staff_member
        from accord.orgs.services import applicant_membership_ensure

        register_staff_check(is_staff_member)
        register_applicant_role(applicant_membership_ensure)
