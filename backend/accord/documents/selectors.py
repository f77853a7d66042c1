from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from accord.cases.models import Case
from accord.cases.selectors import AnyUser, access_case_for_reading
from accord.documents.models import Document, DocumentVersion


def documents_of_case(case: Case) -> QuerySet[Document]:
    return case.documents.prefetch_related("versions").order_by("created_at", "pk")


def access_version(*, user: AnyUser, case_no: str, version_uuid: UUID | str) -> DocumentVersion:
    """A version of a document of a case ``user`` may read (404 otherwise)."""
    case, _read_only = access_case_for_reading(user=user, case_no=case_no)
    try:
        return DocumentVersion.objects.select_related("document", "document__case").get(
            uuid=version_uuid, document__case=case
        )
    except (DocumentVersion.DoesNotExist, ValueError):
        raise Http404 from None
