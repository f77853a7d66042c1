from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from accord.cases.models import Case
from accord.cases.selectors import AnyUser, access_case_for_reading
from accord.documents.models import (
    Document,
    DocumentVersion,
    Signature,
    SignerSide,
    VersionStatus,
)


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


def document_of_kind(case: Case, kind: str) -> Document | None:
    """The case's document of ``kind`` the drafting page continues (the latest one)."""
    return case.documents.filter(kind=kind).order_by("-created_at", "-pk").first()


@dataclass(frozen=True, slots=True)
class SideStatus:
    side: str
    label: str
    signature: Signature | None


def signing_status(version: DocumentVersion) -> list[SideStatus]:
    """Each side that signs, with its signature on ``version`` (None: awaited)."""
    signatures = {s.side: s for s in version.signatures.select_related("signer")}
    return [
        SideStatus(side=side, label=str(label), signature=signatures.get(side))
        for side, label in SignerSide.choices
    ]


def awaits_signature_of(version: DocumentVersion, side: str | None) -> bool:
    """Whether ``version`` is out for signing and ``side`` has not signed it yet."""
    return (
        side is not None
        and version.status == VersionStatus.SIGNING
        and not version.signatures.filter(side=side).exists()
    )
