from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.cases.selectors import case_parties
from accord.cases.states import Party
from accord.documents.forms import DRAFT_FORMS
from accord.documents.models import Document, DocumentKind, DocumentVersion, VersionStatus
from accord.documents.selectors import awaits_signature_of, documents_of_case
from accord.documents.signing import signer_side


@dataclass(frozen=True, slots=True)
class DocumentBlock:
    document: Document
    current: DocumentVersion | None
    may_draft: bool
    awaits_me: bool


@dataclass(frozen=True, slots=True)
class DraftLink:
    kind: str
    label: str


def documents_section(request: HttpRequest, case: Case) -> SectionContent | None:
    """The case's documents and their versions, for everyone who may read the case (the case
    page itself is the access check); the mediator's links to draft the agreement and the
    record (a new version once there is one); each signer's link to sign a version that
    awaits their signature."""
    mediator = Party.MEDIATOR in case_parties(case=case, user=request.user)
    blocks = []
    for document in documents_of_case(case):
        versions = sorted(document.versions.all(), key=lambda v: v.number)
        current = versions[-1] if versions else None
        awaits = False
        if current is not None and current.status == VersionStatus.SIGNING:
            side = signer_side(version=current, user=request.user)  # type: ignore[arg-type]
            awaits = awaits_signature_of(current, side)
        blocks.append(
            DocumentBlock(
                document=document,
                current=current,
                may_draft=mediator
                and document.kind in DRAFT_FORMS
                and not any(v.status == VersionStatus.SEALED for v in versions),
                awaits_me=awaits,
            )
        )
    drafted = {block.document.kind for block in blocks}
    first_drafts = (
        [
            DraftLink(kind=str(kind), label=str(DocumentKind(kind).label))
            for kind in DRAFT_FORMS
            if kind not in drafted
        ]
        if mediator
        else []
    )
    if not blocks and not first_drafts:
        return None
    return SectionContent(
        template="documents/_case_documents.html",
        context={"blocks": blocks, "first_drafts": first_drafts},
        order=40,
    )
