"""Whether a mediator's declared relationships touch a case: :func:`conflicts_for`.

The rules (R4: a mediator with an interest in the dispute steps aside, 回避):

- **The institution.** Employment by, shares in, or prior involvement with the case's
  respondent (the financial institution, an ``Organization``) is a conflict.
- **Periods.** Employment and shareholding count while their period runs and for
  :data:`RECENT_YEARS` years after it ended: an interest lingers (a former employee's pension,
  colleagues, an unvested bonus), so a period that ended less than two years before today still
  conflicts; one that ended earlier does not. A period that starts in the future counts too (an
  agreed employment is an interest already). Prior involvement has no period: it always counts.
- **Persons.** Kinship and prior involvement with a person match the applicant (and the legal
  representative of an applicant that is an organization). When the relationship and the case
  both give an identifier (ID card number, or unified social credit code), the identifiers
  decide: equal is a conflict, different is none, whatever the names. Otherwise the names are
  compared, exactly after normalization (Unicode NFKC, all whitespace removed, case folded).
  Names alone are weak evidence (namesakes are common): such a match is reported as
  *possible*, and still refuses the assignment until an administrator overrides it with a
  written reason.
- Withdrawn relationships do not count. A mediator's relationships count on every case,
  whichever organization they were declared with: the interest is the person's.

The sentences name the relationship for the administrator who assigns; they hold personal data
and never go into the trace (the override event names relationships by id).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.cases.models import Case
from accord.conflicts.models import INSTITUTION_KINDS, Relationship, RelationshipKind

# An employment or shareholding that ended less than this many years ago still conflicts.
RECENT_YEARS = 2


class Party(StrEnum):
    RESPONDENT = "respondent"
    APPLICANT = "applicant"
    REPRESENTATIVE = "representative"


@dataclass(frozen=True, slots=True)
class Conflict:
    """One declared relationship of the mediator that touches the case."""

    relationship: Relationship
    party: Party
    # Matched by name only (no identifier on one side): a possible conflict, still refused.
    possible: bool
    sentence: str


def normalize_name(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(folded.split())


def normalize_identifier(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def period_counts(relationship: Relationship, today: dt.date) -> bool:
    """Whether an employment or shareholding counts on ``today`` (see the module's rules)."""
    if relationship.ended_on is None:
        return True
    return relationship.ended_on > years_before(today, RECENT_YEARS)


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else _("an undeclared date")


def _period(relationship: Relationship) -> dict[str, str]:
    ended = relationship.ended_on
    return {
        "start": _date(relationship.started_on),
        "end": ended.isoformat() if ended is not None else _("present"),
    }


def describe(relationship: Relationship) -> str:
    """The relationship in words, for the pages that list declarations."""
    kind = relationship.kind
    institution = relationship.institution.name if relationship.institution else ""
    if kind == RelationshipKind.EMPLOYMENT:
        return _("Employed by %(institution)s from %(start)s to %(end)s") % {
            "institution": institution,
            **_period(relationship),
        }
    if kind == RelationshipKind.SHAREHOLDING:
        return _("Shareholder of %(institution)s from %(start)s to %(end)s") % {
            "institution": institution,
            **_period(relationship),
        }
    if kind == RelationshipKind.KINSHIP:
        return _("Kinship with %(name)s") % {"name": relationship.person_name}
    return _("Prior involvement with %(party)s") % {
        "party": institution or relationship.person_name
    }


def _person_sentence(relationship: Relationship, party: Party, name: str, possible: bool) -> str:
    kinship = relationship.kind == RelationshipKind.KINSHIP
    if party == Party.APPLICANT:
        sentence = (
            _("Kinship with the applicant %(name)s")
            if kinship
            else _("Prior involvement with the applicant %(name)s")
        )
    else:
        sentence = (
            _("Kinship with the applicant's legal representative %(name)s")
            if kinship
            else _("Prior involvement with the applicant's legal representative %(name)s")
        )
    sentence = sentence % {"name": name}
    if possible:
        sentence = _("%(sentence)s (possible: matched by name only)") % {"sentence": sentence}
    return sentence


def _institution_conflict(
    relationship: Relationship, case: Case, today: dt.date
) -> Conflict | None:
    if relationship.institution_id is None or relationship.institution_id != case.respondent_id:
        return None
    if relationship.kind in INSTITUTION_KINDS:
        if not period_counts(relationship, today):
            return None
        sentence = describe(relationship)
    else:
        sentence = _("Prior involvement with the respondent %(institution)s") % {
            "institution": case.respondent.name
        }
    return Conflict(
        relationship=relationship, party=Party.RESPONDENT, possible=False, sentence=sentence
    )


def _case_identifier(case: Case) -> str:
    """The applicant's ID card number (a natural person) or credit code (an organization)."""
    return normalize_identifier(case.applicant_id_number or case.credit_code)


def _person_conflict(relationship: Relationship, case: Case) -> Conflict | None:
    if relationship.kind not in (RelationshipKind.KINSHIP, RelationshipKind.PRIOR_INVOLVEMENT):
        return None
    if relationship.institution_id is not None:
        return None
    declared_id = normalize_identifier(relationship.person_id_number)
    declared_name = normalize_name(relationship.person_name)
    case_id = _case_identifier(case)
    if declared_id and case_id:
        if declared_id == case_id:
            return Conflict(
                relationship=relationship,
                party=Party.APPLICANT,
                possible=False,
                sentence=_person_sentence(
                    relationship, Party.APPLICANT, case.applicant_name, False
                ),
            )
    elif declared_name and declared_name == normalize_name(case.applicant_name):
        return Conflict(
            relationship=relationship,
            party=Party.APPLICANT,
            possible=True,
            sentence=_person_sentence(relationship, Party.APPLICANT, case.applicant_name, True),
        )
    # A representative is known by name only.
    if (
        declared_name
        and case.representative
        and declared_name == normalize_name(case.representative)
    ):
        return Conflict(
            relationship=relationship,
            party=Party.REPRESENTATIVE,
            possible=True,
            sentence=_person_sentence(
                relationship, Party.REPRESENTATIVE, case.representative, True
            ),
        )
    return None


def active_relationships(mediator: User) -> list[Relationship]:
    return list(
        Relationship.objects.filter(mediator=mediator, withdrawn_at__isnull=True)
        .select_related("institution")
        .order_by("id")
    )


def conflicts_for(case: Case, mediator: User, *, today: dt.date | None = None) -> list[Conflict]:
    """The declared relationships of ``mediator`` that touch ``case``, by the module's rules."""
    today = today or timezone.localdate()
    found: list[Conflict] = []
    for relationship in active_relationships(mediator):
        conflict = _institution_conflict(relationship, case, today) or _person_conflict(
            relationship, case
        )
        if conflict is not None:
            found.append(conflict)
    return found


def conflict_message(conflicts: list[Conflict]) -> str:
    return _("This mediator declared a conflict with the case: %(conflicts)s.") % {
        "conflicts": "; ".join(conflict.sentence for conflict in conflicts)
    }
