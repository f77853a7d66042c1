from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReplayConfig(AppConfig):
    name = "accord.replay"
    label = "replay"
    verbose_name = _("Hearing replay")

    def ready(self) -> None:
        # In ready(): models may be imported only once the app registry is loaded.
        from accord.cases import hooks
        from accord.cases.audit_scope import register_audit_scope
        from accord.cases.sections import register_section
        from accord.replay.access import granted_case_ids
        from accord.replay.sections import replay_links, verification_section
        from accord.replay.services import grants_follow_mediator
        from accord.rooms.sections import register_hearing_links

        # Holders of a replay grant read the case page of the case (cases cannot import us).
        register_audit_scope(granted_case_ids)
        register_hearing_links(replay_links)
        register_section(verification_section)
        # A replaced or recused mediator loses what they were granted on the case at once.
        hooks.on_case_event(grants_follow_mediator)
