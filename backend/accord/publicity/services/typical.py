"""The typical-case library's workflow: draft from a closed case (anonymized), edit, publish
after review, withdraw. Only an administrator of the case's organization acts; each step is
traced on the organization's chain with ids and the SHA-256 of the texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.services import trace_append
from accord.cases.models import BusinessType, Case, RespondentAnswer
from accord.core.api import ConflictError
from accord.orgs.services import org_chain
from accord.outcomes.services.common import text_sha256
from accord.publicity.anonymize import anonymize, identifiers_in
from accord.publicity.models import TypicalCase, TypicalCaseStatus
from accord.publicity.search import search_vector, uses_tsvector
from accord.publicity.selectors import ELIGIBLE_STATES, person_names
from accord.publicity.services.common import admin_actor, refuse


@dataclass(frozen=True, slots=True)
class TypicalTexts:
    """What the reviewer edits (and the public reads)."""

    title: str
    facts: str
    claims: str = ""
    course: str = ""
    lessons: str = ""
    judgment_facts: str = ""
    judgment_standard: str = ""

    @classmethod
    def of(cls, typical: TypicalCase) -> TypicalTexts:
        return cls(**{f.name: getattr(typical, f.name) for f in fields(cls)})

    def cleaned(self) -> TypicalTexts:
        return TypicalTexts(**{f.name: getattr(self, f.name).strip() for f in fields(self)})

    def items(self) -> list[tuple[str, str]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def digests(self) -> dict[str, str]:
        return {f"{name}_sha256": text_sha256(value) for name, value in self.items()}


def _course_of(case: Case) -> str:
    """The course and outcome of the mediation as the case records them: the institution's
    position and the reason given with the case's latest transition."""
    parts: list[str] = []
    answer = RespondentAnswer.objects.filter(case=case).first()
    if answer is not None and answer.position.strip():
        parts.append(answer.position.strip())
    if case.state_reason.strip():
        parts.append(case.state_reason.strip())
    return "\n\n".join(parts)


def _default_title(case: Case) -> str:
    with translation.override("zh-hans"):
        business = str(BusinessType(case.business_type).label)
        return _("A typical %(business)s dispute") % {"business": business}


def _document(typical: TypicalCase) -> str:
    with translation.override("zh-hans"):
        zh = str(BusinessType(typical.business_type).label)
    with translation.override("en"):
        en = str(BusinessType(typical.business_type).label)
    return " ".join([zh, en, typical.organization.name, *typical.texts().values()])


def _index(typical: TypicalCase) -> None:
    """Refresh the row's full-text document (PostgreSQL; nothing to keep on SQLite)."""
    if uses_tsvector():
        TypicalCase.objects.filter(pk=typical.pk).update(
            search_document=search_vector(_document(typical))
        )


def _trace(typical: TypicalCase, *, action: str, user: User, extra: Mapping[str, object]) -> None:
    actor = admin_actor(user, typical.organization)
    trace_append(
        chain=org_chain(typical.organization),
        action=action,
        actor=actor,
        payload={"typical_case_id": typical.pk, "case_id": typical.case_id, **extra},
    )


def typical_case_draft(*, case: Case, user: User) -> TypicalCase:
    """A draft typical case from ``case``: its facts, claims and course anonymized with the
    names of the natural persons the case names (``selectors.person_names``). Traced
    ``typical_case.drafted``. Refuses ``case_not_closed`` (409)."""
    admin_actor(user, case.organization)
    if case.state not in ELIGIBLE_STATES:
        raise ConflictError(
            _("A typical case is drafted from a closed case."), code="case_not_closed"
        )
    names = person_names(case)
    texts = TypicalTexts(
        title=_default_title(case),
        facts=anonymize(case.description, names=names).text,
        claims=anonymize(case.claims, names=names).text,
        course=anonymize(_course_of(case), names=names).text,
    )
    with transaction.atomic():
        typical = TypicalCase.objects.create(
            case=case,
            organization=case.organization,
            business_type=case.business_type,
            drafted_by=user,
            **dict(texts.items()),
        )
        _trace(typical, action="typical_case.drafted", user=user, extra=texts.digests())
    return typical


def unmasked_identifiers(typical: TypicalCase, texts: TypicalTexts) -> dict[str, list[str]]:
    """Per field, the kinds of identifier still found in ``texts`` (empty when clean)."""
    names = person_names(typical.case)
    found: dict[str, list[str]] = {}
    for name, value in texts.items():
        kinds = sorted({masked.kind for masked in identifiers_in(value, names=names)})
        if kinds:
            found[name] = kinds
    return found


def _validated(texts: TypicalTexts) -> TypicalTexts:
    texts = texts.cleaned()
    if not texts.title:
        raise refuse(_("Give the case a title."), code="required", field="title")
    if not texts.facts:
        raise refuse(_("Describe the facts."), code="required", field="facts")
    return texts


def _save_texts(typical: TypicalCase, texts: TypicalTexts) -> None:
    for name, value in texts.items():
        setattr(typical, name, value)


def _locked_draft(typical: TypicalCase) -> TypicalCase:
    locked = TypicalCase.objects.select_for_update().select_related("organization", "case")
    row = locked.get(pk=typical.pk)
    if row.status != TypicalCaseStatus.DRAFT:
        raise ConflictError(_("Only a draft can be edited or published."), code="not_draft")
    return row


def typical_case_update(*, typical: TypicalCase, user: User, texts: TypicalTexts) -> TypicalCase:
    """Save the reviewer's texts on a draft. Traced ``typical_case.edited``. Refuses
    ``required`` (400) and ``not_draft`` (409)."""
    admin_actor(user, typical.organization)
    texts = _validated(texts)
    with transaction.atomic():
        row = _locked_draft(typical)
        _save_texts(row, texts)
        row.save()
        _trace(row, action="typical_case.edited", user=user, extra=texts.digests())
    return row


def typical_case_publish(
    *, typical: TypicalCase, user: User, texts: TypicalTexts, reviewed: bool
) -> TypicalCase:
    """Publish a draft with the reviewer's texts. Needs ``reviewed`` (the reviewer compared it
    with the original) and texts in which ``identifiers_in`` finds nothing; refuses
    ``not_reviewed``, ``identifiers_remain`` (400, on the fields) and ``not_draft`` (409).
    Traced ``typical_case.published``."""
    admin_actor(user, typical.organization)
    texts = _validated(texts)
    if not reviewed:
        raise refuse(
            _("Confirm that you reviewed the text against the original."),
            code="not_reviewed",
            field="reviewed",
        )
    remaining = unmasked_identifiers(typical, texts)
    if remaining:
        message = _("Identifiers remain in the text; mask them before publishing.")
        error = refuse(message, code="identifiers_remain")
        error.fields = {
            name: [_("Still found: %(kinds)s.") % {"kinds": ", ".join(kinds)}]
            for name, kinds in remaining.items()
        }
        raise error
    with transaction.atomic():
        row = _locked_draft(typical)
        _save_texts(row, texts)
        row.status = TypicalCaseStatus.PUBLISHED
        row.reviewed_by = user
        row.published_at = timezone.now()
        row.save()
        _index(row)
        _trace(row, action="typical_case.published", user=user, extra=texts.digests())
    return row


def typical_case_withdraw(*, typical: TypicalCase, user: User, reason: str) -> TypicalCase:
    """Take a published case off the public pages, with a reason. Traced
    ``typical_case.withdrawn`` (the reason's SHA-256). Refuses ``reason_required`` (400)
    and ``not_published`` (409)."""
    admin_actor(user, typical.organization)
    reason = reason.strip()
    if not reason:
        raise refuse(_("Give a reason."), code="reason_required", field="reason")
    with transaction.atomic():
        row = TypicalCase.objects.select_for_update().get(pk=typical.pk)
        if row.status != TypicalCaseStatus.PUBLISHED:
            raise ConflictError(_("Only a published case can be withdrawn."), code="not_published")
        row.status = TypicalCaseStatus.WITHDRAWN
        row.withdrawn_at = timezone.now()
        row.withdrawal_reason = reason
        row.search_document = None
        row.save()
        _trace(
            row,
            action="typical_case.withdrawn",
            user=user,
            extra={"reason_sha256": text_sha256(reason)},
        )
    return row
