from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "accord.publicity"
    label = "publicity"
    verbose_name = _("Typical cases and outreach")

    def ready(self) -> None:
        # In ready(): the models are loaded; cases (a layer below) calls back through this.
        from accord.cases.sections import register_section
        from accord.publicity.sections import typical_case_section

        register_section(typical_case_section)
