from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "accord.evidence"
    label = "evidence"
    verbose_name = _("Evidence packages and replay access")

    def ready(self) -> None:
        # In ready(): models may be imported only once the app registry is loaded.
        from accord.cases.audit_scope import register_audit_scope
        from accord.evidence import checks  # noqa: F401  (registers the orphan-segment check)
        from accord.evidence.access import granted_case_ids

        # Holders of a replay grant read the case page of the case (cases cannot import us).
        register_audit_scope(granted_case_ids)
