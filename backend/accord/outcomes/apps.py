from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "accord.outcomes"
    label = "outcomes"
    verbose_name = _("After the mediation")

    def ready(self) -> None:
        # In ready(): the models are loaded; documents and cases (layers below) call back
        # through these registries.
        from accord.cases import hooks
        from accord.cases.sections import register_section
        from accord.documents.hooks import on_document_sealed
        from accord.documents.models import DocumentVersion
        from accord.outcomes.sections import agreement_section, failure_section
        from accord.outcomes.services.failure import refuse_closing_without_notice
        from accord.outcomes.services.performance import performance_open
        from accord.outcomes.timeline import register_timeline_labels

        def _sealed(version: DocumentVersion) -> None:
            performance_open(version)

        on_document_sealed(_sealed)
        hooks.on_case_transition(refuse_closing_without_notice)
        register_section(agreement_section)
        register_section(failure_section)
        register_timeline_labels()
