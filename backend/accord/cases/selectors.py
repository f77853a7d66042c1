"""Reads about cases and consultations, already filtered by what the user may see.

Who sees a case (R4: only those who need to):

- the applicant (the case's applicant account);
- staff of the financial institution the case is against;
- administrators of the case's mediation organization;
- the case's assigned mediator, while a mediator of that organization;
- the regulator officer who assigned it, while an officer of that regulator;
- clerks of the court that entrusted it.

Anyone else gets "not found", never "forbidden", so case numbers leak nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accord.accounts.models import User
from accord.accounts.phones import mask_phone
from accord.audit.models import TraceEvent
from accord.audit.personal import is_sealed, reveal_many
from accord.cases import timeline_registry
from accord.cases.audit_scope import audit_q
from accord.cases.masking import mask_id_number, mask_identifier
from accord.cases.models import (
    AnswerDecision,
    ApplicantType,
    Case,
    CaseState,
    CaseTransfer,
    Consultation,
    DisputeNature,
    IntakeChannel,
    Material,
    RespondentAnswer,
    TransferStatus,
)
from accord.cases.scope import CaseApplication
from accord.cases.states import PARTY_PRECEDENCE, PARTY_ROLE, TRANSITIONS, Party, targets_from
from accord.orgs.models import MEDIATION_KINDS, MediationRules, Organization, OrgKind, Role
from accord.orgs.selectors import has_role, organizations_where
from accord.workdays.periods import Due, add_working_days

AnyUser = User | AnonymousUser
StrOrPromise = str | Promise


def _transfer_deciders_q(user: User) -> Q:
    """Transfers ``user`` decides: those to a mediation organization they administer, and
    returns to a regulator where they are an officer."""
    return Q(
        to_organization__in=organizations_where(user, Role.ORG_ADMIN),
        to_organization__kind__in=MEDIATION_KINDS,
    ) | Q(
        to_organization__in=organizations_where(user, Role.REGULATOR_OFFICER),
        to_organization__kind=OrgKind.REGULATOR,
    )


def _visible_q(user: User) -> Q:
    # A case waiting for a transfer's decision is seen by those who decide it (a subquery,
    # so that the case list has no duplicate rows).
    pending = CaseTransfer.objects.filter(_transfer_deciders_q(user), status=TransferStatus.PENDING)
    return (
        Q(pk__in=pending.values("case_id"))
        | Q(applicant=user)
        | Q(respondent__in=organizations_where(user, Role.INSTITUTION_STAFF))
        | Q(organization__in=organizations_where(user, Role.ORG_ADMIN))
        | Q(mediator=user, organization__in=organizations_where(user, Role.MEDIATOR))
        | Q(
            channel=IntakeChannel.REGULATOR,
            submitted_by=user,
            referred_by__in=organizations_where(user, Role.REGULATOR_OFFICER),
        )
        | Q(
            channel=IntakeChannel.COURT,
            court__in=organizations_where(user, Role.COURT_CLERK),
        )
    )


def case_list_for_user(*, user: AnyUser) -> QuerySet[Case]:
    """The cases ``user`` may see, newest first."""
    if not isinstance(user, User) or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(_visible_q(user)).select_related(
        "organization", "respondent", "mediator"
    )


def access_case(*, user: AnyUser, case_no: str) -> Case:
    """The case, or :class:`Http404` when it does not exist *or* ``user`` may not see it."""
    try:
        return case_list_for_user(user=user).get(case_no=case_no)
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc


def case_list_for_audit(*, user: AnyUser) -> QuerySet[Case]:
    """The cases ``user`` may audit (read only): as an auditor of the case's mediation
    organization, entrusting court or assigning regulator, or through what the apps
    above contribute to :mod:`accord.cases.audit_scope` (a replay grant)."""
    if not isinstance(user, User) or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(audit_q(user)).select_related(
        "organization", "respondent", "mediator"
    )


def access_case_for_reading(*, user: AnyUser, case_no: str) -> tuple[Case, bool]:
    """The case and whether ``user`` only audits it (``True``: read only, no party
    action, no upload). :class:`Http404` when ``user`` may neither see nor audit it."""
    try:
        return case_list_for_user(user=user).get(case_no=case_no), False
    except Case.DoesNotExist:
        pass
    try:
        return case_list_for_audit(user=user).get(case_no=case_no), True
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc


def case_parties(*, case: Case, user: AnyUser) -> frozenset[Party]:
    """How ``user`` stands to ``case`` for the transition table."""
    if not isinstance(user, User) or not user.is_active:
        return frozenset()
    parties: set[Party] = set()
    if case.applicant_id is not None and case.applicant_id == user.pk:
        parties.add(Party.APPLICANT)
    if has_role(user, Role.ORG_ADMIN, case.organization):
        parties.add(Party.ORG_ADMIN)
    if (
        case.mediator_id is not None
        and case.mediator_id == user.pk
        and has_role(user, Role.MEDIATOR, case.organization)
    ):
        parties.add(Party.MEDIATOR)
    if has_role(user, Role.INSTITUTION_STAFF, case.respondent):
        parties.add(Party.INSTITUTION)
    return frozenset(parties)


def case_role_of(*, case: Case, user: AnyUser) -> str | None:
    """The role ``user`` acts in on ``case``, for the trace's actor."""
    parties = case_parties(case=case, user=user)
    for party in PARTY_PRECEDENCE:
        if party in parties:
            return PARTY_ROLE[party]
    for role, organization in (
        (Role.COURT_CLERK, case.court),
        (Role.REGULATOR_OFFICER, case.referred_by),
        (Role.AUDITOR, case.organization),
        (Role.AUDITOR, case.court),
        (Role.AUDITOR, case.referred_by),
    ):
        if organization is not None and has_role(user, role, organization):
            return role.value
    return None


def case_allowed_transitions(*, case: Case, user: AnyUser) -> list[CaseState]:
    """The moves ``user`` may make on ``case`` now (for action buttons)."""
    parties = case_parties(case=case, user=user)
    return [
        to for to in targets_from(case.state) if TRANSITIONS[(CaseState(case.state), to)] & parties
    ]


def mediators_of(*, organization: Organization) -> QuerySet[User]:
    """Users who hold an active mediator membership in ``organization``."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organization=organization,
            memberships__role=Role.MEDIATOR,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("display_name", "username")
    )


ACTION_LABELS: dict[str, StrOrPromise] = {
    "case.submitted": gettext_lazy("Case submitted"),
    "case.accepted": gettext_lazy("Accepted"),
    "case.declined": gettext_lazy("Declined"),
    "case.assigned": gettext_lazy("Mediator assigned"),
    "case.mediating": gettext_lazy("Mediation started"),
    "case.agreement": gettext_lazy("Agreement reached"),
    "case.failed": gettext_lazy("Mediation failed"),
    "case.terminated": gettext_lazy("Terminated"),
    "case.withdrawn": gettext_lazy("Withdrawn"),
    "case.closed": gettext_lazy("Closed"),
    "case.not_mediated": gettext_lazy("The institution declined to mediate"),
    "case.complexity_changed": gettext_lazy("Complexity changed"),
    "case.mediator_replaced": gettext_lazy("Mediator replaced"),
    "case.mediator_removed": gettext_lazy("Mediator removed from the case"),
    "case.materials_signed": gettext_lazy("Court materials signed for"),
    "feedback.submitted": gettext_lazy("Feedback on the mediation submitted"),
    # Conflicts and recusal (accord.conflicts)
    "conflict.overridden": gettext_lazy("Mediator assigned despite a declared conflict"),
    "recusal.applied": gettext_lazy("Recusal of the mediator applied for"),
    "recusal.granted": gettext_lazy("Recusal granted"),
    "recusal.rejected": gettext_lazy("Recusal application rejected"),
    "recusal.self": gettext_lazy("The mediator withdrew (self-recusal)"),
    "recusal.court_required": gettext_lazy("The entrusting court required the mediator's recusal"),
    "recusal.lapsed": gettext_lazy("Recusal application lapsed"),
    "case.answered": gettext_lazy("The institution answered"),
    "case.transfer_requested": gettext_lazy("Transfer to another organization requested"),
    "case.transfer_accepted": gettext_lazy("Transfer accepted"),
    "case.transfer_declined": gettext_lazy("Transfer declined"),
    "case.transfer_cancelled": gettext_lazy("Transfer cancelled"),
    "case.exported": gettext_lazy("Evidence package exported"),
    "case.package_sealed": gettext_lazy("Evidence package sealed"),
    "evidence.uploaded": gettext_lazy("Evidence uploaded"),
    "evidence.accessed": gettext_lazy("Evidence opened"),
    "evidence.downloaded": gettext_lazy("Recording or package file downloaded"),
    "case.particulars_erased": gettext_lazy("The applicant's personal data was erased"),
    # Hearings (accord.rooms)
    "session.scheduled": gettext_lazy("Hearing scheduled"),
    "session.notified": gettext_lazy("Participants notified of the hearing"),
    "session.join_link_created": gettext_lazy("Join link created"),
    "session.join_link_used": gettext_lazy("Join link used"),
    "session.notice_acknowledged": gettext_lazy("Hearing rules and recording notice read"),
    "session.cancelled": gettext_lazy("Hearing cancelled"),
    "session.rescheduled": gettext_lazy("Hearing moved to another time"),
    "session.join_link_sent": gettext_lazy("Join link sent"),
    "session.join_link_revoked": gettext_lazy("Join link revoked"),
    "room.joined": gettext_lazy("Joined the hearing"),
    "room.left": gettext_lazy("Left the hearing"),
    "room.reconnects": gettext_lazy("Reconnected during the hearing"),
    "room.admitted": gettext_lazy("Participant admitted"),
    "room.muted": gettext_lazy("Participant muted"),
    "room.removed": gettext_lazy("Participant removed from the hearing"),
    "room.moved": gettext_lazy("Participants moved between rooms"),
    "room.chat": gettext_lazy("Chat message"),
    "room.recording_started": gettext_lazy("Recording started"),
    "room.recording_paused": gettext_lazy("Recording paused"),
    "room.recording_resumed": gettext_lazy("Recording resumed"),
    "room.recording_stopped": gettext_lazy("Recording stopped"),
    "room.ended": gettext_lazy("The hearing ended"),
    # Recordings (accord.recordings, accord.replay, accord.packages)
    "recording.segment": gettext_lazy("Recording segment registered"),
    "recording.interrupted": gettext_lazy("Recording interrupted"),
    "recording.flushed": gettext_lazy("Recording upload completed"),
    "recording.finalized": gettext_lazy("Recording finalized"),
    "recording.composited": gettext_lazy("Composite recording video made"),
    "recording.deleted": gettext_lazy("Recordings deleted"),
    "recording.hold_placed": gettext_lazy("Legal hold placed"),
    "recording.hold_released": gettext_lazy("Legal hold released"),
    "recording.replayed": gettext_lazy("Recording replayed"),
    "replay.granted": gettext_lazy("Replay access granted"),
    "replay.media_read": gettext_lazy("Recording file first read"),
    "replay.revoked": gettext_lazy("Replay access revoked"),
}

# Labels that depend on the payload.
UNMUTED_LABEL = gettext_lazy("Participant unmuted")

# Reasons that are codes (of the system, not words of a user), per action.
REASON_LABELS: dict[str, dict[str, StrOrPromise]] = {
    "recording.interrupted": {
        "worker_restart": gettext_lazy("the media worker restarted"),
        "unsupported_codec": gettext_lazy("unsupported codec"),
        "spool_full": gettext_lazy("the recorder's storage was full"),
    },
    "recording.deleted": {"retention": gettext_lazy("the retention period is over")},
    "case.transfer_cancelled": {
        "case_ended": gettext_lazy("the case ended before the transfer was decided"),
    },
    "replay.revoked": {
        "replaced": gettext_lazy("replaced by a new grant"),
        "revoked": gettext_lazy("revoked"),
        "mediator_removed": gettext_lazy("the mediator left the case"),
    },
}

ROLE_LABELS: dict[str, StrOrPromise] = {
    **dict(Role.choices),
}


def _role_label(role: str) -> str:
    """Roles of this layer, then those the apps above registered (hearing roles)."""
    label = ROLE_LABELS.get(role) or timeline_registry.role_labels().get(role)
    return str(label) if label is not None else role


SEGMENT_ACTION = "recording.segment"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the timeline: one event, or (``count`` > 1) the ``recording.segment``
    events of one hearing, from ``seq`` at ``occurred_at`` to ``last_seq`` at ``until``."""

    seq: int
    action: str
    label: str
    actor: str
    role: str
    occurred_at: datetime
    hash: str
    reason: str
    detail: str = ""
    count: int = 1
    last_seq: int | None = None
    until: datetime | None = None
    # Payload fields committed by a keyed hash (accord.audit.personal), and whether the
    # value is still on file (False once erased): for the verification page.
    sealed: tuple[tuple[str, bool], ...] = ()

    @property
    def short_hash(self) -> str:
        return self.hash[:12]


def _payload(event: TraceEvent) -> dict[str, Any]:
    return event.payload if isinstance(event.payload, dict) else {}


def _label(event: TraceEvent, payload: dict[str, Any]) -> str:
    if event.action == "room.muted" and payload.get("muted") is False:
        return str(UNMUTED_LABEL)
    return str(ACTION_LABELS.get(event.action, event.action))


# Reasons that refer to a record kept elsewhere (the parties' words stay out of the trace).
REFERENCE_LABELS: dict[str, StrOrPromise] = {
    "recusal-application:": gettext_lazy("decided on a recusal application"),
}


def _reason(action: str, payload: dict[str, Any]) -> str:
    reason = str(payload.get("reason") or "")
    for prefix, label in REFERENCE_LABELS.items():
        if reason.startswith(prefix):
            return str(label)
    return str(REASON_LABELS.get(action, {}).get(reason, reason))


# System actors by the component that acted (``media-worker:mw-1`` matches
# ``media-worker``): people read what did it, not a code.
SYSTEM_LABELS: dict[str, StrOrPromise] = {
    "media-worker": gettext_lazy("Recording service"),
    "finalize": gettext_lazy("Recording service"),
    "composite": gettext_lazy("Recording service"),
    "retention": gettext_lazy("Retention schedule"),
    "notices": gettext_lazy("Notification service"),
    "court-platform": gettext_lazy("Court mediation platform"),
    "export-case": gettext_lazy("Evidence export by the operator"),
    "seed-demo": gettext_lazy("Demo data"),
    "demo-session": gettext_lazy("Demo hearing"),
    "erase-person": gettext_lazy("Personal data erasure"),
    "signin": gettext_lazy("Sign-in service"),
    "accounts": gettext_lazy("Account service"),
}
SYSTEM_LABEL = gettext_lazy("The platform")
ERASED_NAME = gettext_lazy("Erased user")


def system_actor_label(component: str) -> str:
    return str(SYSTEM_LABELS.get(component.split(":", 1)[0], SYSTEM_LABEL))


def person_names(*, case: Case, user_ids: set[int]) -> dict[int, str]:
    """Names to show for accounts on ``case``: the person's name, the case's applicant name
    for its applicant; never a username or phone number ("" when there is none)."""
    names: dict[int, str] = {}
    for user in User.objects.filter(pk__in=user_ids).only("pk", "display_name", "erased_at"):
        if user.erased_at is not None:
            names[user.pk] = str(ERASED_NAME)
        elif user.display_name.strip():
            names[user.pk] = user.display_name.strip()
        elif user.pk == case.applicant_id and case.applicant_name:
            names[user.pk] = case.applicant_name
        else:
            names[user.pk] = ""
    return names


def _role_of(case: Case, actor: dict[str, Any], user_id: int | None) -> str:
    role = str(actor.get("role") or "")
    if not role and user_id is not None:
        if user_id == case.applicant_id:
            role = Role.APPLICANT.value
        elif user_id == case.mediator_id:
            role = Role.MEDIATOR.value
    return _role_label(role) if role else ""


def _detail(
    action: str,
    payload: dict[str, Any],
    titles: dict[str, str],
    names: dict[int, str],
    files: dict[str, Material],
) -> str:
    """Which hearing, whose access, what file: a few words under the label."""
    parts = []
    title = titles.get(str(payload.get("session_id") or ""))
    if title:
        parts.append(title)
    if action in ("replay.granted", "replay.revoked"):
        user_id = payload.get("user_id")
        parts.append(names.get(user_id, "") if isinstance(user_id, int) else "")
    if action == "evidence.downloaded" and payload.get("key"):
        parts.append(str(payload["key"]).rsplit("/", 1)[-1])
    if action in ("evidence.uploaded", "evidence.accessed"):
        evidence = files.get(str(payload.get("evidence") or ""))
        if evidence is not None:
            parts.extend([evidence.name, evidence.kind_label])
    if action.startswith("case.transfer_"):
        parts.append(_transfer_route(payload))
    return " · ".join(part for part in parts if part)


def _transfer_route(payload: dict[str, Any]) -> str:
    """ "From → to" of a transfer event, by the organizations' names (the payload has codes);
    for a return the regulator completed, "→ the next organization" as well."""
    codes = [
        str(ref.get("code") or "")
        for key in ("from", "to", "next")
        if isinstance(ref := payload.get(key), dict)
    ]
    names = dict(Organization.objects.filter(code__in=codes).values_list("code", "name"))
    return " → ".join(names.get(code, code) for code in codes if code)


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """The case's trace, oldest first, in words. Callers have already checked access.

    Actors are shown by name and role, resolved now from the accounts and the case (the
    trace holds only ids); hashes are for the verification page. The
    ``recording.segment`` events (one per track every few seconds) are summarized: one
    entry per hearing, where its first segment was registered, with their count.
    """
    events = list(TraceEvent.objects.filter(chain_id=case.chain_id).order_by("seq"))
    payloads = {event.seq: _payload(event) for event in events}
    segments: dict[str, list[TraceEvent]] = {}
    for event in events:
        if event.action == SEGMENT_ACTION:
            session_id = str(payloads[event.seq].get("session_id") or "")
            segments.setdefault(session_id, []).append(event)
    user_ids = {e.actor_user_id for e in events if e.actor_user_id is not None}
    for event in events:
        grantee = payloads[event.seq].get("user_id")
        if event.action.startswith("replay.") and isinstance(grantee, int):
            user_ids.add(grantee)
    names = person_names(case=case, user_ids=user_ids)
    titles = timeline_registry.session_titles(case.pk)
    files = {str(item.uuid): item for item in Material.objects.filter(case=case)}
    on_file = reveal_many(
        value for payload in payloads.values() for value in payload.values() if is_sealed(value)
    )
    entries = []
    for event in events:
        payload = payloads[event.seq]
        actor = event.actor if isinstance(event.actor, dict) else {}
        if actor.get("kind") == "system":
            who, role = system_actor_label(str(actor.get("label") or "")), ""
        else:
            who = names.get(event.actor_user_id or 0, "")
            role = _role_of(case, actor, event.actor_user_id)
        entry = TimelineEntry(
            seq=event.seq,
            action=event.action,
            label=_label(event, payload),
            actor=who,
            role=role,
            occurred_at=event.occurred_at,
            hash=event.hash,
            reason=_reason(event.action, payload),
            detail=_detail(event.action, payload, titles, names, files),
            sealed=tuple(
                (name, value in on_file)
                for name, value in sorted(payload.items())
                if is_sealed(value)
            ),
        )
        if event.action == SEGMENT_ACTION:
            group = segments[str(payload.get("session_id") or "")]
            if event is not group[0]:
                continue
            if len(group) > 1:
                last = group[-1]
                entry = replace(
                    entry,
                    label=ngettext(
                        "%(count)d recording segment registered",
                        "%(count)d recording segments registered",
                        len(group),
                    )
                    % {"count": len(group)},
                    count=len(group),
                    last_seq=last.seq,
                    until=last.occurred_at,
                )
        entries.append(entry)
    return entries


def materials_of_case(*, case: Case) -> QuerySet[Material]:
    return Material.objects.filter(case=case).select_related("uploaded_by").order_by("id")


def access_material(*, user: AnyUser, case_no: str, evidence_uuid: UUID | str) -> Material:
    """A material of a case ``user`` may see or audit (reading it is no party action)."""
    case, _read_only = access_case_for_reading(user=user, case_no=case_no)
    try:
        return materials_of_case(case=case).get(uuid=evidence_uuid)
    except (Material.DoesNotExist, ValueError) as exc:
        raise Http404(_("No such evidence.")) from exc


# --- Consultations ---------------------------------------------------------


def consultation_list_for_user(*, user: AnyUser) -> QuerySet[Consultation]:
    """The asker's own consultations, and those addressed to an organization
    where ``user`` is a mediator or administrator (they answer them)."""
    if not isinstance(user, User) or not user.is_active:
        return Consultation.objects.none()
    return Consultation.objects.filter(
        Q(asker=user) | Q(organization__in=organizations_where(user, Role.MEDIATOR, Role.ORG_ADMIN))
    ).select_related("organization", "respondent")


def access_consultation(*, user: AnyUser, consultation_id: int) -> Consultation:
    try:
        return consultation_list_for_user(user=user).get(pk=consultation_id)
    except Consultation.DoesNotExist as exc:
        raise Http404(_("No such consultation.")) from exc


def may_answer_consultation(*, consultation: Consultation, user: AnyUser) -> bool:
    return has_role(user, Role.MEDIATOR, consultation.organization) or has_role(
        user, Role.ORG_ADMIN, consultation.organization
    )


def consultation_application_draft(*, consultation: Consultation) -> CaseApplication:
    """The application a consultation already answers: the applicant only
    confirms or completes it (R2: no retyping)."""
    return CaseApplication(
        organization=consultation.organization,
        respondent=consultation.respondent,
        applicant_type=consultation.applicant_type or ApplicantType.NATURAL_PERSON,
        applicant_name=consultation.contact_name,
        applicant_phone=consultation.contact_phone,
        business_type=consultation.business_type,
        dispute_nature=DisputeNature.CIVIL_COMMERCIAL,
        amount=consultation.amount,
        description=consultation.description,
    )


# --- Organizations offered in forms ------------------------------------------


def mediation_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(
        kind__in=[OrgKind.FINANCIAL_MEDIATION, OrgKind.PEOPLES_MEDIATION], is_active=True
    ).order_by("name")


def financial_institutions() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrgKind.FINANCIAL_INSTITUTION, is_active=True).order_by(
        "name"
    )


def organization_by_code(code: str | None) -> Organization | None:
    """Any organization by its code; the service decides whether it fits."""
    if not code:
        return None
    return Organization.objects.filter(code=code).first()


# --- The institution's answer, contact details, transfers ------------------------------


def answer_of(*, case: Case) -> RespondentAnswer | None:
    """The institution's answer to ``case``, with its evidence, or ``None``."""
    return (
        RespondentAnswer.objects.filter(case=case)
        .select_related("answered_by")
        .prefetch_related("evidence")
        .first()
    )


def institution_materials(*, case: Case) -> QuerySet[Material]:
    """The case's materials uploaded by (active) staff of the respondent institution: what it
    may name as its own evidence in its answer."""
    staff = User.objects.filter(
        memberships__organization=case.respondent,
        memberships__role=Role.INSTITUTION_STAFF,
        memberships__is_active=True,
    )
    return materials_of_case(case=case).filter(uploaded_by__in=staff)


def rules_of(organization: Organization) -> MediationRules:
    """The organization's procedure rules; the defaults when it has none on file (unsaved)."""
    rules = MediationRules.objects.filter(organization=organization).first()
    return rules if rules is not None else MediationRules(organization=organization)


def acceptance_day(*, case: Case) -> date:
    """The day the case's organization accepted it: the date of the latest ``case.accepted``
    event (a transferred case is accepted again by its new organization), else the day its
    state last changed."""
    accepted = (
        TraceEvent.objects.filter(chain_id=case.chain_id, action="case.accepted")
        .order_by("-seq")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return timezone.localdate(accepted if accepted is not None else case.state_changed_at)


# The institution answers while the case is accepted and not yet in mediation.
ANSWERABLE_STATES = frozenset({CaseState.ACCEPTED, CaseState.ASSIGNED})


def answer_due(*, case: Case) -> Due | None:
    """When the institution's answer is due (``MediationRules.answer_days`` working days after
    acceptance), while it is awaited; ``None`` once answered or when no answer is awaited.
    A read-only computation: the deadlines app keeps the deadline itself and its reminders."""
    if case.state not in ANSWERABLE_STATES or answer_of(case=case) is not None:
        return None
    return add_working_days(acceptance_day(case=case), rules_of(case.organization).answer_days)


# What the routes left to an applicant are when the institution declines to mediate: shown on
# the case page and in the notice.
ROUTES_LEFT = gettext_lazy(
    "Mediation needs both sides to agree. You can still apply for arbitration (with an "
    "arbitration agreement), bring a lawsuit before a people's court, or complain to the "
    "financial regulator."
)


@dataclass(frozen=True, slots=True)
class ContactDetails:
    """The applicant's phone, ID card number and credit code as ``user`` may see them."""

    phone: str
    id_number: str
    credit_code: str
    masked: bool


# While the institution performs: in mediation, or once an agreement was reached.
_PERFORMING_STATES = frozenset({CaseState.MEDIATING, CaseState.AGREEMENT})


def institution_needs_contact(*, case: Case) -> bool:
    """Whether the respondent institution's staff need the applicant's contact details: only
    after it agreed to mediate, while the case is in mediation or an agreement was reached
    (also once such a case is closed: the agreement is still to be performed)."""
    answer = RespondentAnswer.objects.filter(case=case).values_list("decision", flat=True).first()
    if answer != AnswerDecision.AGREE:
        return False
    if case.state in _PERFORMING_STATES:
        return True
    return (
        case.state == CaseState.CLOSED
        and TraceEvent.objects.filter(chain_id=case.chain_id, action="case.agreement").exists()
    )


def _brought_the_case(*, case: Case, user: AnyUser) -> bool:
    """The regulator officer who assigned the case or a clerk of the entrusting court: they
    entered the applicant's particulars themselves and follow the case up."""
    if case.channel == IntakeChannel.REGULATOR and case.referred_by is not None:
        return case.submitted_by_id == user.pk and has_role(
            user, Role.REGULATOR_OFFICER, case.referred_by
        )
    if case.channel == IntakeChannel.COURT and case.court is not None:
        return has_role(user, Role.COURT_CLERK, case.court)
    return False


def contact_masked_for(*, case: Case, user: AnyUser, read_only: bool = False) -> bool:
    """Whether ``user`` sees the applicant's contact details masked (PIPL: only those who
    need to reach the applicant see them in full).

    In full: the applicant, the organization's administrators, the case's mediator, the
    respondent institution's staff once :func:`institution_needs_contact`, and the regulator
    officer or court clerk who brought the case. Masked: the institution's staff before
    then, readers who only audit the case, administrators of an organization a transfer is
    offered to, and anyone else who may see the case."""
    parties = case_parties(case=case, user=user)
    if parties & {Party.APPLICANT, Party.ORG_ADMIN, Party.MEDIATOR}:
        return False
    if read_only:
        return True
    if Party.INSTITUTION in parties:
        return not institution_needs_contact(case=case)
    return not (isinstance(user, User) and _brought_the_case(case=case, user=user))


def contact_details(*, case: Case, user: AnyUser, read_only: bool = False) -> ContactDetails:
    if not contact_masked_for(case=case, user=user, read_only=read_only):
        return ContactDetails(
            phone=case.applicant_phone,
            id_number=case.applicant_id_number,
            credit_code=case.credit_code,
            masked=False,
        )
    return ContactDetails(
        phone=mask_phone(case.applicant_phone) if case.applicant_phone else "",
        id_number=mask_id_number(case.applicant_id_number),
        credit_code=mask_identifier(case.credit_code),
        masked=True,
    )


# A case can be transferred while its organization has not assigned a mediator yet.
TRANSFERABLE_STATES = frozenset({CaseState.SUBMITTED, CaseState.ACCEPTED})


def transfers_of(*, case: Case) -> QuerySet[CaseTransfer]:
    """The case's history of organizations, oldest first."""
    return CaseTransfer.objects.filter(case=case).select_related(
        "from_organization", "to_organization", "requested_by", "decided_by"
    )


def pending_transfer(*, case: Case) -> CaseTransfer | None:
    return transfers_of(case=case).filter(status=TransferStatus.PENDING).first()


def transfer_due(*, transfer: CaseTransfer) -> Due:
    """When the receiving side should have decided: ``transfer_decision_days`` working days
    (of the sending organization's rules) after the day of the request. Read-only."""
    days = rules_of(transfer.from_organization).transfer_decision_days
    return add_working_days(timezone.localdate(transfer.requested_at), days)


def may_decide_transfer(*, transfer: CaseTransfer, user: AnyUser) -> bool:
    """An administrator of the receiving mediation organization; for a return, an officer of
    the regulator."""
    target = transfer.to_organization
    if target.is_mediation_org:
        return has_role(user, Role.ORG_ADMIN, target)
    return target.kind == OrgKind.REGULATOR and has_role(user, Role.REGULATOR_OFFICER, target)


def transfers_waiting_for(*, user: AnyUser) -> QuerySet[CaseTransfer]:
    """The pending transfers ``user`` decides, oldest first."""
    if not isinstance(user, User) or not user.is_active:
        return CaseTransfer.objects.none()
    return (
        CaseTransfer.objects.filter(_transfer_deciders_q(user), status=TransferStatus.PENDING)
        .select_related("case", "from_organization", "to_organization")
        .order_by("requested_at", "id")
    )


def access_transfer(*, user: AnyUser, case: Case, transfer_id: int) -> CaseTransfer:
    """A transfer of ``case`` (which ``user`` may see), or :class:`Http404`."""
    try:
        return transfers_of(case=case).get(pk=transfer_id)
    except CaseTransfer.DoesNotExist as exc:
        raise Http404(_("No such transfer.")) from exc


def transfer_targets(*, case: Case) -> list[Organization]:
    """Where ``case`` may be transferred: the other active mediation organizations, and, for a
    case a regulator assigned, that regulator (a return)."""
    targets = list(mediation_organizations().exclude(pk=case.organization_id))
    if case.channel == IntakeChannel.REGULATOR and case.referred_by is not None:
        targets.insert(0, case.referred_by)
    return targets


def organization_staff(organization: Organization, *roles: Role) -> QuerySet[User]:
    """Active users holding any of ``roles`` in ``organization`` (whom to notify)."""
    return User.objects.filter(
        is_active=True,
        memberships__organization=organization,
        memberships__role__in=roles,
        memberships__is_active=True,
    ).distinct()
