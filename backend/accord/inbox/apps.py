from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "accord.inbox"
    label = "inbox"
    verbose_name = _("Notices")

    def ready(self) -> None:
        # In ready(): the models are loaded; a person's notices go with their erasure.
        from accord.audit.erasure import register_personal_data
        from accord.inbox.services import INBOX_PERSONAL_DATA

        register_personal_data(INBOX_PERSONAL_DATA)
