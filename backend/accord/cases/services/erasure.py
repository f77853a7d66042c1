"""What cases hold about a person, for the erasure service (``accord.audit.erasure``).

The party particulars of the cases a person brought (name, phone, ID number,
representative, the facts and claims they wrote, the names of their uploaded files) and
their consultations. The files themselves and the trace are kept: the trace commits to
these values only by keyed hashes under the case's key, which erasure destroys.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.erasure import PersonalDataHolder, StillNeeded, personal_data_retention
from accord.audit.personal import case_subject
from accord.audit.services import trace_append
from accord.cases.models import Case, Consultation, Material
from accord.cases.states import OPEN_STATES
from accord.core.crypto import lookup_hash


def _cases_of(user_id: int) -> QuerySet[Case]:
    phone = User.objects.filter(pk=user_id).values_list("phone", flat=True).first()
    named = Q(applicant_id=user_id)
    if phone:
        # Regulator and court cases may name the person without linking their account.
        named |= Q(applicant__isnull=True, applicant_phone_lookup=lookup_hash(phone))
    return Case.objects.filter(named)


def cases_kept_until(user_id: int) -> datetime | None:
    latest: datetime | None = None
    for case_no, state, changed_at in _cases_of(user_id).values_list(
        "case_no", "state", "state_changed_at"
    ):
        if state in OPEN_STATES:
            raise StillNeeded(_("Case %(case_no)s is still open.") % {"case_no": case_no})
        if latest is None or changed_at > latest:
            latest = changed_at
    return None if latest is None else latest + personal_data_retention()


def cases_erase(user_id: int, actor: Actor) -> Sequence[str]:
    """Blank the particulars of the person's cases and consultations; one
    ``case.particulars_erased`` event per case, by ids only."""
    subjects = []
    for case in _cases_of(user_id).select_for_update(of=("self",)).select_related("chain"):
        Case.objects.filter(pk=case.pk).update(
            applicant_name="",
            applicant_phone="",
            applicant_phone_lookup=None,
            applicant_id_number="",
            representative="",
            description="",
            claims="",
            state_reason="",
        )
        files = 0
        for evidence in Material.objects.filter(case=case).order_by("id"):
            extension = evidence.name.rsplit(".", 1)[-1] if "." in evidence.name else ""
            erased_name = (
                f"{evidence.uuid}.{extension}" if extension.isalnum() else str(evidence.uuid)
            )
            Material.objects.filter(pk=evidence.pk).update(name=erased_name)
            files += 1
        trace_append(
            chain=case.chain,
            action="case.particulars_erased",
            actor=actor,
            payload={"user_id": user_id, "file_names": files},
        )
        subjects.append(case_subject(case.case_no))
    Consultation.objects.filter(asker_id=user_id).update(
        contact_name="", contact_phone="", description="", answer=""
    )
    return subjects


CASES_PERSONAL_DATA = PersonalDataHolder(
    name="cases", kept_until=cases_kept_until, erase=cases_erase
)
