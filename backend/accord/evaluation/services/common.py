"""What the evaluation services share: checked texts, locks, who is told, the trace."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.models import Case
from accord.cases.selectors import organization_staff
from accord.cases.services.notices import case_path
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.api import ConflictError, ServiceError
from accord.evaluation.models import Evaluation
from accord.evaluation.selectors import EVALUATION_STATES
from accord.inbox.services import notify
from accord.orgs.models import Role

TEXT_MAX = 10000


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def required_text(text: str, field: str, *, code: str = "reason_required") -> str:
    """``text`` stripped, or a refusal on ``field`` when it is empty or too long."""
    text = text.strip()
    if not text:
        raise ServiceError(_("This is required."), code=code, fields={field: [_("Required.")]})
    if len(text) > TEXT_MAX:
        message = _("At most %(max)d characters.") % {"max": TEXT_MAX}
        raise ServiceError(message, code="invalid", fields={field: [message]})
    return text


def optional_text(text: str, field: str) -> str:
    text = text.strip()
    if len(text) > TEXT_MAX:
        message = _("At most %(max)d characters.") % {"max": TEXT_MAX}
        raise ServiceError(message, code="invalid", fields={field: [message]})
    return text


def lock(evaluation: Evaluation) -> tuple[Case, Evaluation]:
    """The case (locked first, as every case service does) and the evaluation, locked."""
    locked_case = lock_case(evaluation.case)
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    locked.case = locked_case
    return locked_case, locked


def check_case_state(case: Case) -> None:
    if case.state not in EVALUATION_STATES:
        raise ConflictError(
            _("A neutral evaluation is possible only while the case is being mediated."),
            code="illegal_state",
        )


def trace(
    locked_case: Case, action: str, actor: Actor, evaluation: Evaluation, **payload: object
) -> None:
    """One ``evaluation.*`` event on the case's chain, naming the evaluation by its uuid."""
    case_trace(
        locked=locked_case,
        action=action,
        actor=actor,
        payload={"evaluation": str(evaluation.uuid), **payload},
    )


def administrators(case: Case) -> QuerySet[User]:
    return organization_staff(case.organization, Role.ORG_ADMIN)


def people_of_case(case: Case) -> list[User]:
    """The parties and the mediation side: the applicant's account, the respondent's staff,
    the case's mediator and the organization's administrators."""
    people: list[User] = []
    if case.applicant is not None:
        people.append(case.applicant)
    people.extend(organization_staff(case.respondent, Role.INSTITUTION_STAFF))
    if case.mediator is not None:
        people.append(case.mediator)
    people.extend(administrators(case))
    return people


def tell(users: Iterable[User | None], case: Case, *, kind: str, text: str, url: str = "") -> None:
    notify(users, kind=kind, text=text, case_no=case.case_no, url=url or case_page(case))


def case_page(case: Case) -> str:
    return f"{case_path(case)}#evaluation"


def evaluation_path(evaluation: Evaluation) -> str:
    """The evaluation's page in the site's default language (a notice is read in any)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("evaluation:detail", kwargs={"evaluation_uuid": evaluation.uuid})
