from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "accord.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # In ready(): the models are loaded; audit (a layer below) re-checks the stored PDFs
        # through its registry, and the case page shows the documents through cases' sections.
        from accord.audit.verify import register_object_check
        from accord.cases.sections import register_section
        from accord.documents.sections import documents_section
        from accord.documents.verification import check_document_objects

        register_object_check(check_document_objects)
        register_section(documents_section)
