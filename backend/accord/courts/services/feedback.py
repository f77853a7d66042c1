"""The feedback letter (委托调解反馈函) and the return of the court's materials (R11).

When a court-entrusted mediation ends (agreement, failure, termination, withdrawal, or the
institution declining to mediate), :func:`feedback_follow_transition` (a
``cases.hooks.on_case_transition`` hook, in the move's transaction) records what the
organization now owes the court (:class:`CourtFeedback`), opens the deadline
``court_feedback`` of 3 working days (reminders and escalation as every deadline's, to the
organization's administrators and the mediator) and tells the administrators.

An administrator drafts the letter from the case (:func:`feedback_fields` fills the form;
document kind ``court_feedback``, rendered and stored by documents), sends it
(:func:`feedback_send`) and records how the materials went back (:func:`materials_return`).
Each is traced on the case's chain (``court.feedback_sent``, ``court.materials_returned``) and
told to the court by callback (``feedback.sent``, ``materials.returned``); the deadline is met
once both are done (missed when later). A case owing feedback is not closed before it is done
(:func:`refuse_closing_before_feedback`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.hooks import CaseTransition
from accord.cases.models import Case, CaseState
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.api import ConflictError, ServiceError
from accord.courts.models import CourtFeedback, Entrustment, ReturnMethod
from accord.courts.services.common import require_admin
from accord.deadlines.models import DayCount, DeadlineKind
from accord.deadlines.rules import Period
from accord.deadlines.services import deadline_close, deadline_open, open_deadlines
from accord.deadlines.sweep import admins_of
from accord.documents.models import Document, DocumentKind, DocumentLanguage, DocumentVersion
from accord.documents.services import document_draft
from accord.inbox.services import notify
from accord.orgs.models import Role
from accord.outcomes.services.common import clean_note, text_sha256

FEEDBACK_WORKING_DAYS = 3
LETTER_KIND = DocumentKind.COURT_FEEDBACK
ENDED_STATES = frozenset(
    {
        CaseState.AGREEMENT,
        CaseState.FAILED,
        CaseState.TERMINATED,
        CaseState.WITHDRAWN,
        CaseState.NOT_MEDIATED,
    }
)
OUTCOME_MAX = 200
TEXT_MAX = 4000
ATTACHMENT_MAX = 100
ATTACHMENTS_MAX = 30
NOTE_MAX = 300

# What the letter says happened, in the letter's language (the court reads Chinese).
_OUTCOME_TEXT: dict[str, dict[str, str]] = {
    DocumentLanguage.ZH_HANS: {
        CaseState.AGREEMENT: "经调解，双方当事人自愿达成调解协议",
        CaseState.FAILED: "经调解，双方当事人未能达成调解协议，调解不成",
        CaseState.TERMINATED: "调解已依法终止",
        CaseState.WITHDRAWN: "申请人撤回调解申请",
        CaseState.NOT_MEDIATED: "被申请人不同意调解，未能开展调解",
    },
    DocumentLanguage.EN: {
        CaseState.AGREEMENT: "the parties reached a mediation agreement",
        CaseState.FAILED: "the parties did not reach an agreement; mediation failed",
        CaseState.TERMINATED: "the mediation was terminated",
        CaseState.WITHDRAWN: "the applicant withdrew the application",
        CaseState.NOT_MEDIATED: "the respondent declined to mediate",
    },
}


def entrustment_of(case: Case) -> Entrustment | None:
    return Entrustment.objects.filter(case=case).select_related("court", "organization").first()


def feedback_path(entrustment: Entrustment) -> str:
    return reverse("courts:feedback", kwargs={"uuid": entrustment.uuid})


def feedback_follow_transition(transition: CaseTransition) -> CourtFeedback | None:
    """Transition hook: an entrusted mediation ended, the organization owes the court its
    feedback letter and the materials within 3 working days."""
    locked = transition.case
    if transition.state not in ENDED_STATES:
        return None
    entrustment = entrustment_of(locked)
    if entrustment is None or CourtFeedback.objects.filter(entrustment=entrustment).exists():
        return None
    deadline = deadline_open(
        locked=locked,
        kind=DeadlineKind.COURT_FEEDBACK,
        period=Period(timezone.localdate(), DayCount.WORKING, FEEDBACK_WORKING_DAYS),
        actor=transition.actor,
    )
    feedback = CourtFeedback.objects.create(
        entrustment=entrustment,
        outcome=transition.state.value,
        due_at=timezone.now(),
        deadline=deadline,
    )
    case_trace(
        locked=locked,
        action="court.feedback_due",
        actor=transition.actor,
        payload={
            "entrustment": str(entrustment.uuid),
            "court": entrustment.court_id,
            "outcome": feedback.outcome,
            "deadline_id": deadline.pk,
            "due": deadline.due_on.isoformat(),
        },
    )
    notify(
        admins_of(locked),
        kind="court.feedback_due",
        text=_(
            "Case %(case_no)s ended: send %(court)s the feedback letter and return its "
            "materials by %(due)s."
        )
        % {"case_no": locked.case_no, "court": entrustment.court.name, "due": deadline.due_on},
        case_no=locked.case_no,
        url=feedback_path(entrustment),
    )
    return feedback


def refuse_closing_before_feedback(transition: CaseTransition) -> None:
    """Transition hook: an entrusted case is closed once the court has its feedback letter
    and its materials back (``feedback_pending``, 409, otherwise)."""
    if transition.state != CaseState.CLOSED:
        return
    entrustment = entrustment_of(transition.case)
    if entrustment is None:
        return
    feedback = CourtFeedback.objects.filter(entrustment=entrustment).first()
    if feedback is not None and not feedback.is_complete:
        raise ConflictError(
            _("Send the court the feedback letter and return its materials before closing."),
            code="feedback_pending",
        )


def letter_document(case: Case) -> Document | None:
    return Document.objects.filter(case=case, kind=LETTER_KIND).order_by("-created_at").first()


def current_letter(case: Case) -> DocumentVersion | None:
    document = letter_document(case)
    return None if document is None else document.current


def feedback_fields(feedback: CourtFeedback) -> dict[str, Any]:
    """The letter's fields as the case gives them (the form's initial values): the latest
    draft's when there is one."""
    entrustment = feedback.entrustment
    assert entrustment.case is not None
    draft = current_letter(entrustment.case)
    if draft is not None:
        return {
            "outcome": draft.fields.get("outcome", ""),
            "text": draft.fields.get("text", ""),
            "attachments": list(draft.fields.get("attachments", [])),
        }
    attachments = [material.name for material in entrustment.materials.all()]
    if feedback.outcome == CaseState.AGREEMENT:
        attachments.insert(0, "调解协议书")
    return {
        "outcome": _OUTCOME_TEXT[DocumentLanguage.ZH_HANS][feedback.outcome],
        "text": "",
        "attachments": attachments,
    }


def _lock(feedback: CourtFeedback) -> tuple[Case, CourtFeedback]:
    case = feedback.entrustment.case
    assert case is not None
    locked = lock_case(case)
    row = (
        CourtFeedback.objects.select_for_update(of=("self",))
        .select_related("entrustment__court", "entrustment__organization")
        .get(pk=feedback.pk)
    )
    return locked, row


def _clean_attachments(values: list[str]) -> list[str]:
    cleaned = [value.strip() for value in values if value and value.strip()]
    if len(cleaned) > ATTACHMENTS_MAX or any(len(v) > ATTACHMENT_MAX for v in cleaned):
        message = _("At most %(n)d attachments of %(m)d characters each.") % {
            "n": ATTACHMENTS_MAX,
            "m": ATTACHMENT_MAX,
        }
        raise ServiceError(message, code="too_long", fields={"attachments": [message]})
    return cleaned


def feedback_draft(
    *, feedback: CourtFeedback, user: User, outcome: str, text: str, attachments: list[str]
) -> DocumentVersion:
    """A new version of the letter (the first drafts the document). Not inside a transaction
    (the PDF is rendered and stored first). Refuses ``permission_denied``,
    ``reason_required`` / ``too_long`` (400, by field), ``feedback_sent`` (409)."""
    entrustment = feedback.entrustment
    require_admin(user, entrustment.organization)
    outcome = clean_note(outcome, field="outcome", required=True, max_length=OUTCOME_MAX)
    text = clean_note(text, field="text", required=False, max_length=TEXT_MAX)
    cleaned = _clean_attachments(attachments)
    if CourtFeedback.objects.filter(pk=feedback.pk, sent_at__isnull=False).exists():
        raise ConflictError(_("The letter was already sent."), code="feedback_sent")
    assert entrustment.case is not None
    return document_draft(
        case=entrustment.case,
        kind=LETTER_KIND,
        fields={
            "court": entrustment.court.name,
            "outcome": outcome,
            "text": text,
            "attachments": cleaned,
        },
        by=user,
        document=letter_document(entrustment.case),
    )


def _meet_deadline(locked: Case, row: CourtFeedback, actor: Actor) -> None:
    if not row.is_complete:
        return
    for deadline in open_deadlines(locked, DeadlineKind.COURT_FEEDBACK):
        deadline_close(
            locked=locked, deadline=deadline, actor=actor, outcome="met", cause="feedback_done"
        )


def feedback_send(*, feedback: CourtFeedback, user: User) -> CourtFeedback:
    """Send the court the latest version of the letter: traced ``court.feedback_sent`` (the
    version and its SHA-256), the court told (``feedback.sent``). Refuses
    ``permission_denied``, ``letter_required`` (400: nothing drafted), ``feedback_sent``
    (409)."""
    from accord.courts.services.callbacks import callback_enqueue, entrustment_status

    require_admin(user, feedback.entrustment.organization)
    with transaction.atomic():
        locked, row = _lock(feedback)
        if row.sent_at is not None:
            raise ConflictError(_("The letter was already sent."), code="feedback_sent")
        letter = current_letter(locked)
        if letter is None:
            message = _("Draft the feedback letter first.")
            raise ServiceError(message, code="letter_required", fields={"letter": [message]})
        row.letter = letter
        row.sent_at = timezone.now()
        row.sent_by = user
        row.save(update_fields=["letter", "sent_at", "sent_by"])
        actor = Actor.for_user(user, role=Role.ORG_ADMIN)
        entrustment = row.entrustment
        case_trace(
            locked=locked,
            action="court.feedback_sent",
            actor=actor,
            payload={
                "entrustment": str(entrustment.uuid),
                "court": entrustment.court_id,
                "version": str(letter.uuid),
                "sha256": letter.sha256,
            },
        )
        _meet_deadline(locked, row, actor)
        callback_enqueue(
            entrustment=entrustment, kind="feedback.sent", data=entrustment_status(entrustment)
        )
    return row


def materials_return(
    *, feedback: CourtFeedback, user: User, method: str, note: str = ""
) -> CourtFeedback:
    """Record that the court's materials went back (how, and a note such as the post's
    tracking number): traced ``court.materials_returned``, the court told
    (``materials.returned``). Refuses ``permission_denied``, ``invalid_method`` /
    ``too_long`` (400), ``materials_returned`` (409)."""
    from accord.courts.services.callbacks import callback_enqueue, entrustment_status

    require_admin(user, feedback.entrustment.organization)
    if method not in ReturnMethod.values:
        message = _("Choose how the materials went back.")
        raise ServiceError(message, code="invalid_method", fields={"method": [message]})
    note = clean_note(note, field="note", required=False, max_length=NOTE_MAX)
    with transaction.atomic():
        locked, row = _lock(feedback)
        if row.materials_returned_at is not None:
            raise ConflictError(
                _("The return of the materials was already recorded."), code="materials_returned"
            )
        row.materials_returned_at = timezone.now()
        row.materials_returned_by = user
        row.return_method = method
        row.return_note = note
        row.save(
            update_fields=[
                "materials_returned_at",
                "materials_returned_by",
                "return_method",
                "return_note",
            ]
        )
        actor = Actor.for_user(user, role=Role.ORG_ADMIN)
        entrustment = row.entrustment
        case_trace(
            locked=locked,
            action="court.materials_returned",
            actor=actor,
            payload={
                "entrustment": str(entrustment.uuid),
                "court": entrustment.court_id,
                "method": method,
                "note_sha256": text_sha256(note),
            },
        )
        _meet_deadline(locked, row, actor)
        callback_enqueue(
            entrustment=entrustment,
            kind="materials.returned",
            data=entrustment_status(entrustment),
        )
    return row


# --- What the court reads (GET /api/court/v1/entrustments/{id}) ---------------------------


def feedback_status(entrustment: Entrustment) -> dict[str, Any] | None:
    feedback = CourtFeedback.objects.filter(entrustment=entrustment).select_related(
        "deadline", "letter"
    )
    row = feedback.first()
    if row is None:
        return None
    deadline = row.deadline
    return {
        "outcome": row.outcome,
        "due_on": deadline.due_on.isoformat() if deadline is not None else None,
        "deadline_status": deadline.status if deadline is not None else None,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "letter": (
            {
                "version": str(row.letter.uuid),
                "sha256": row.letter.sha256,
                "size": row.letter.size,
                "path": f"/api/court/v1/entrustments/{entrustment.uuid}/feedback-letter",
            }
            if row.letter is not None and row.sent_at is not None
            else None
        ),
    }


def return_status(entrustment: Entrustment) -> dict[str, Any] | None:
    row = CourtFeedback.objects.filter(entrustment=entrustment).first()
    if row is None or row.materials_returned_at is None:
        return None
    return {
        "returned_at": row.materials_returned_at.isoformat(),
        "method": row.return_method,
        "note": row.return_note,
    }
