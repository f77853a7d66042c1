"""The parties' feedback on the mediation, asked for when a case closes (R5 assessment).

When a case that had a mediator closes (``cases.hooks.on_case_transition``), one feedback
invitation is opened for each party side: the applicant (when the case has an applicant
account) and the financial institution (its staff: any of them answers once for the
institution). Each is told by a notice. A side answers once; the answer is traced
``feedback.submitted`` on the case's chain (ids, the side and the score: the comment stays in
the table).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.erasure import PersonalDataHolder
from accord.cases.errors import NotAllowed
from accord.cases.hooks import CaseTransition
from accord.cases.models import Case, CaseState
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.api import ConflictError
from accord.inbox.services import notify
from accord.mediators.models import Feedback, FeedbackSide
from accord.mediators.services import refuse
from accord.orgs.models import Membership, Role
from accord.orgs.selectors import has_role

SIDE_ROLE = {
    FeedbackSide.APPLICANT: Role.APPLICANT,
    FeedbackSide.INSTITUTION: Role.INSTITUTION_STAFF,
}


def side_of(*, case: Case, user: User) -> FeedbackSide | None:
    """Which party side ``user`` answers for on ``case`` (the applicant first)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if case.applicant_id is not None and case.applicant_id == user.pk:
        return FeedbackSide.APPLICANT
    if has_role(user, Role.INSTITUTION_STAFF, case.respondent):
        return FeedbackSide.INSTITUTION
    return None


def feedback_url(case: Case, *, neutral: bool = False) -> str:
    """The feedback page; ``neutral``: without a language prefix (a notice's link is read in
    whatever language its reader uses)."""
    if neutral:
        with translation.override(settings.LANGUAGE_CODE):
            return reverse("mediators:feedback", kwargs={"case_no": case.case_no})
    return reverse("mediators:feedback", kwargs={"case_no": case.case_no})


def institution_staff(case: Case) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            organization_id=case.respondent_id, role=Role.INSTITUTION_STAFF, is_active=True
        ).select_related("user")
    ]


def feedback_open_on_close(transition: CaseTransition) -> None:
    """Registered with ``cases.hooks.on_case_transition``: a closed case asks its parties."""
    case = transition.case
    # A case that was never mediated (declined, not mediated before assignment) has no
    # mediation to give feedback on.
    if transition.state != CaseState.CLOSED or case.mediator_id is None:
        return
    sides: list[tuple[FeedbackSide, list[User]]] = []
    if case.applicant_id is not None:
        applicant = User.objects.get(pk=case.applicant_id)
        sides.append((FeedbackSide.APPLICANT, [applicant]))
    sides.append((FeedbackSide.INSTITUTION, institution_staff(case)))
    for side, users in sides:
        _feedback, created = Feedback.objects.get_or_create(
            case=case, side=side, defaults={"mediator_id": case.mediator_id}
        )
        if created:
            notify(
                users,
                kind="feedback.invited",
                text=_("Case %(case_no)s is closed. Please tell us how the mediation went.")
                % {"case_no": case.case_no},
                case_no=case.case_no,
                url=feedback_url(case, neutral=True),
            )


def feedback_submit(
    *, case: Case, user: User, satisfaction: int | None, fair: bool | None, comment: str = ""
) -> Feedback:
    """``user``'s side answers: satisfaction 1–5, whether the mediator was fair and impartial,
    a comment. Refuses ``permission_denied`` (403: not a party of the case, or no invitation
    for their side), ``invalid`` (400) and ``already_submitted`` (409)."""
    if satisfaction is None or isinstance(satisfaction, bool) or not 1 <= satisfaction <= 5:
        raise refuse(_("Choose from 1 to 5."), code="invalid", field="satisfaction")
    if fair is None:
        raise refuse(_("Answer yes or no."), code="invalid", field="fair")
    side = side_of(case=case, user=user)
    if side is None:
        raise NotAllowed(_("Only the parties of the case give feedback."))
    with transaction.atomic():
        locked = lock_case(case)
        feedback = Feedback.objects.select_for_update().filter(case=locked, side=side).first()
        if feedback is None:
            raise NotAllowed(_("There is no feedback to give on this case."))
        if feedback.is_submitted:
            raise ConflictError(
                _("Feedback for your side of this case was already given."),
                code="already_submitted",
            )
        feedback.satisfaction = satisfaction
        feedback.fair = fair
        feedback.comment = comment.strip()[:2000]
        feedback.submitted_by = user
        feedback.submitted_at = timezone.now()
        feedback.save()
        case_trace(
            locked=locked,
            action="feedback.submitted",
            actor=Actor.for_user(user, role=SIDE_ROLE[side]),
            payload={"feedback_id": feedback.pk, "side": side.value, "satisfaction": satisfaction},
        )
    return feedback


def feedback_comments_erase(user_id: int, actor: Actor) -> list[str]:
    """Blank the comments ``user_id`` wrote as feedback (the erasure registry's ``erase``): a
    party's free words may name people. The scores stay (the trace and the assessments count
    them); the trace holds no comment, so nothing is traced and no key is destroyed."""
    del actor
    Feedback.objects.filter(submitted_by_id=user_id).exclude(comment="").update(comment="")
    return []


FEEDBACK_PERSONAL_DATA = PersonalDataHolder(
    name="mediators-feedback", kept_until=lambda user_id: None, erase=feedback_comments_erase
)
