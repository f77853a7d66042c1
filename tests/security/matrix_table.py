"""The expected answer of every cell of the permission matrix (tests/security/test_matrix.py).

One row per route name (as ``reverse()`` takes it). A row lists the methods asked and, per
method, a default answer with the roles that get another one. The answers are status classes:

- ``ok``: 2xx; ``redirect``: a redirect elsewhere than the sign-in page (a form's success or
  an already-done answer); ``invalid``: 400, the empty request was refused *after*
  authorization passed; ``conflict``: 409, the same;
- ``signin``: a redirect to sign in; ``unauthenticated``: 401; ``forbidden``: 403;
  ``not_found``: 404 (the house answer to whoever may not know that the object exists);
- ``method_not_allowed``: 405.

The roles (columns) are ``tests.security.conftest.ROLES``; world A is described there. The
answers were recorded from the code and then read row by row: where a role got further than
its business, the app was fixed, not the table (docs/security/matrix.md lists the fixes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

STATUS_CLASSES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
}

# Answers that reveal nothing of the object asked for (the object-level check).
REFUSED = frozenset({"signin", "unauthenticated", "forbidden", "not_found", "method_not_allowed"})


@dataclass(frozen=True)
class Answers:
    """One method's answers: ``default`` for every role not named in ``roles``."""

    default: str
    roles: Mapping[str, str] = field(default_factory=dict)

    def of(self, role: str) -> str:
        return self.roles.get(role, self.default)


@dataclass(frozen=True)
class Row:
    answers: Mapping[str, Answers]
    # Roles who may legitimately reach world B's object too (a role that is not tied to an
    # organization, e.g. the system administrator on a global page).
    cross_ok: frozenset[str] = frozenset()

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.answers)

    def expect(self, method: str, role: str) -> str:
        return self.answers[method].of(role)


def row(cross_ok: frozenset[str] = frozenset(), /, **methods: Answers) -> Row:
    return Row(answers=methods, cross_ok=cross_ok)


def a(default: str, **roles: str) -> Answers:
    return Answers(default=default, roles=roles)


def by(default: str, groups: Mapping[str, frozenset[str]]) -> Answers:
    """``by("not_found", {"ok": {"mediator", "org_admin"}})``: roles grouped by answer."""
    roles: dict[str, str] = {}
    for answer, members in groups.items():
        for member in members:
            roles[member] = answer
    return Answers(default=default, roles=roles)


# Pages of one organization that the system administrator manages for every organization.
SYSADMIN_EVERYWHERE = frozenset({"sysadmin"})

# The internal media endpoints (recordings_api:*) are not on the public URL configuration: they
# are served on the internal listener only (config.internal_urls), to a worker's token, and
# proven there (tests/infra/test_internal_listener.py, tests/recordings/test_api.py).

ROWS: dict[str, Row] = {
    # 503 here: the test run has no media worker or Celery heartbeat (GET /healthz is public).
    "healthz": row(GET=a("status_503")),
    "favicon": row(GET=a("redirect")),
    "set_language": row(GET=a("redirect")),
    "api-schema": row(GET=a("ok"), POST=a("method_not_allowed")),
    "api-cases": row(GET=a("ok", anonymous="forbidden"), POST=a("invalid", anonymous="forbidden")),
    "api-case-detail": row(
        GET=a(
            "not_found",
            anonymous="forbidden",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        ),
        POST=a("method_not_allowed", anonymous="forbidden"),
    ),
    "api-case-transitions": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-case-mediator": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-case-complexity": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-case-materials": row(
        GET=a(
            "not_found",
            anonymous="forbidden",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        ),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-case-answer": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-case-transfers": row(
        GET=a(
            "not_found",
            anonymous="forbidden",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        ),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="forbidden",
            institution_staff="forbidden",
            mediator="forbidden",
            org_admin="conflict",
        ),
    ),
    "api-case-transfer-accept": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-case-transfer-decline": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-transfers-waiting": row(
        GET=a("ok", anonymous="forbidden"), POST=a("method_not_allowed", anonymous="forbidden")
    ),
    "api-consultations": row(
        GET=a("ok", anonymous="forbidden"), POST=a("invalid", anonymous="forbidden")
    ),
    "api-consultation-detail": row(
        GET=a("not_found", anonymous="forbidden", applicant="ok", mediator="ok", org_admin="ok"),
        POST=a("method_not_allowed", anonymous="forbidden"),
    ),
    "api-consultation-answer": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-consultation-convert": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="ok",
            mediator="forbidden",
            org_admin="forbidden",
        ),
    ),
    "api-case-deadlines": row(
        GET=a(
            "not_found",
            anonymous="forbidden",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
            court_clerk="ok",
            auditor="ok",
        ),
        POST=a("method_not_allowed", anonymous="forbidden"),
    ),
    "api-deadline-extensions": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-extension-answer": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-extension-apply": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-outcomes": row(
        GET=a(
            "not_found",
            anonymous="forbidden",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
            court_clerk="ok",
            auditor="ok",
        ),
        POST=a("method_not_allowed", anonymous="forbidden"),
    ),
    "api-obligation-confirm": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-confirmations": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-confirmation-consent": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-notarizations": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-notarization-consent": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-notarization-guarantor-consent": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-notarization-refer": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-failure-notice": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-failure-referral": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-court-confirmations": row(
        GET=a("ok", anonymous="forbidden"), POST=a("method_not_allowed", anonymous="forbidden")
    ),
    "api-court-confirmation-outcome": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-notary-referrals": row(
        GET=a("ok", anonymous="forbidden"), POST=a("method_not_allowed", anonymous="forbidden")
    ),
    "api-notary-referral-outcome": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-case-evaluations": row(
        GET=a(
            "not_found",
            anonymous="forbidden",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
            court_clerk="ok",
            auditor="ok",
        ),
        POST=a(
            "not_found",
            anonymous="forbidden",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "api-evaluations-mine": row(
        GET=a("ok", anonymous="forbidden"), POST=a("method_not_allowed", anonymous="forbidden")
    ),
    "api-evaluation": row(
        GET=a("not_found", anonymous="forbidden"),
        POST=a("method_not_allowed", anonymous="forbidden"),
    ),
    "api-evaluation-appoint": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-evaluation-replace": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-evaluation-declaration": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-evaluation-decline": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-evaluation-report": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-evaluation-deliver": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "api-evaluation-cancel": row(
        GET=a("method_not_allowed", anonymous="forbidden"),
        POST=a("not_found", anonymous="forbidden"),
    ),
    "admin:*": row(GET=a("redirect")),
    "core:home": row(GET=a("ok")),
    "accounts:signin": row(GET=a("redirect", anonymous="ok")),
    "accounts:signin_code": row(GET=a("signin")),
    "accounts:staff_signin": row(GET=a("redirect", anonymous="ok")),
    "accounts:staff_totp": row(GET=a("signin")),
    "accounts:staff_enroll": row(GET=a("signin")),
    "accounts:signout": row(GET=a("method_not_allowed"), POST=a("redirect")),
    "accounts:link": row(GET=a("not_found")),
    "orgs:institutions": row(GET=a("ok")),
    "orgs:manage_index": row(
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="redirect",
            sysadmin="ok",
            other_org="redirect",
        )
    ),
    "orgs:manage": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "orgs:member_grant": row(
        SYSADMIN_EVERYWHERE,
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="method_not_allowed",
            sysadmin="method_not_allowed",
        ),
        POST=a("not_found", anonymous="signin", org_admin="invalid", sysadmin="invalid"),
    ),
    "orgs:member_deactivate": row(
        SYSADMIN_EVERYWHERE,
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="method_not_allowed",
            sysadmin="method_not_allowed",
        ),
        POST=a("not_found", anonymous="signin", org_admin="redirect", sysadmin="redirect"),
    ),
    "orgs:rules": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "orgs:channels": row(SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin")),
    "orgs:channel_edit": row(SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin")),
    "orgs:channel_delete": row(
        SYSADMIN_EVERYWHERE,
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="method_not_allowed",
            sysadmin="method_not_allowed",
        ),
        POST=a("not_found", anonymous="signin"),
    ),
    "workdays:index": row(GET=a("not_found", anonymous="signin", sysadmin="ok")),
    "workdays:year": row(GET=a("not_found", anonymous="signin", sysadmin="ok")),
    "inbox:index": row(GET=a("ok", anonymous="signin")),
    # Court docking pages (issue 14): the receiving organization's administrators only.
    # Lists answer 403 to whoever administers no mediation organization; an object that is not
    # one's own (an entrustment, a callback, a docking, a key) is 404. POST-only routes say 405
    # to a GET before they look the object up.
    "courts:inbox": row(GET=a("forbidden", anonymous="signin", org_admin="ok", other_org="ok")),
    "courts:entrustment": row(GET=a("not_found", anonymous="signin")),
    "courts:feedback": row(GET=a("not_found", anonymous="signin")),
    "courts:entrustment-accept": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "courts:entrustment-decline": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "courts:callbacks": row(GET=a("forbidden", anonymous="signin", org_admin="ok", other_org="ok")),
    # World A holds a dead letter to its court, the court's docking and a key of the court.
    "courts:callback-resend": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="redirect"),
    ),
    # Creating a docking with an empty form: refused by field (400) once authorized.
    "courts:dockings": row(
        GET=a("forbidden", anonymous="signin", org_admin="ok", other_org="ok"),
        POST=a("forbidden", anonymous="signin", org_admin="invalid", other_org="invalid"),
    ),
    "courts:docking": row(
        GET=a("not_found", anonymous="signin", org_admin="ok"),
        POST=a("not_found", anonymous="signin", org_admin="invalid"),
    ),
    # A new key's secret is shown on the answer itself (200), once.
    "courts:key-create": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="ok"),
    ),
    "courts:key-rotate": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="ok"),
    ),
    "courts:key-revoke": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="redirect"),
    ),
    # The court API answers only requests signed by a court's key (tests/courts/test_auth.py);
    # a session, whoever holds it, is no credential there.
    "api-court-entrustments": row(GET=a("unauthenticated"), POST=a("unauthenticated")),
    "api-court-entrustment": row(GET=a("unauthenticated"), POST=a("unauthenticated")),
    "api-court-entrustment-recusals": row(GET=a("unauthenticated"), POST=a("unauthenticated")),
    "api-court-entrustment-feedback-letter": row(
        GET=a("unauthenticated"), POST=a("unauthenticated")
    ),
    "api-court-v1-confirmations": row(GET=a("unauthenticated"), POST=a("unauthenticated")),
    "api-court-v1-confirmation": row(GET=a("unauthenticated"), POST=a("unauthenticated")),
    "api-court-v1-confirmation-package": row(GET=a("unauthenticated"), POST=a("unauthenticated")),
    "api-court-v1-confirmation-outcome": row(GET=a("unauthenticated"), POST=a("unauthenticated")),
    "deadlines:overdue": row(
        GET=a("forbidden", anonymous="signin", org_admin="ok", sysadmin="ok", other_org="ok")
    ),
    "deadlines:overdue_org": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "deadlines:extend": row(GET=a("not_found", anonymous="signin")),
    "deadlines:court_period": row(GET=a("not_found", anonymous="signin")),
    "deadlines:answer": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "deadlines:apply": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "packages:verify": row(
        GET=a(
            "not_found",
            anonymous="signin",
            mediator="ok",
            org_admin="ok",
            court_clerk="ok",
            auditor="ok",
        )
    ),
    "packages:package": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", auditor="redirect"),
    ),
    "recordings:hold_place": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="invalid"),
    ),
    "recordings:hold_release": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "replay:replay": row(GET=a("not_found", anonymous="signin", court_clerk="ok", auditor="ok")),
    "replay:media": row(GET=a("not_found", anonymous="signin", court_clerk="ok", auditor="ok")),
    "replay:grant_create": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="redirect", auditor="redirect"),
    ),
    "replay:grant_revoke": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="redirect", auditor="redirect"),
    ),
    "cases:my_cases": row(GET=a("ok", anonymous="signin")),
    "cases:audit": row(GET=a("ok", anonymous="signin")),
    "cases:apply": row(GET=a("ok", anonymous="signin")),
    "cases:consult": row(GET=a("ok", anonymous="signin")),
    "cases:refer": row(GET=a("forbidden", anonymous="signin", regulator="ok")),
    "cases:consultation": row(
        GET=a("not_found", anonymous="signin", applicant="ok", mediator="ok", org_admin="ok")
    ),
    "cases:consultation_convert": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            mediator="forbidden",
            org_admin="forbidden",
        )
    ),
    "cases:detail": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
            court_clerk="ok",
            auditor="ok",
        )
    ),
    "cases:transition": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a(
            "not_found",
            anonymous="signin",
            applicant="redirect",
            institution_staff="redirect",
            mediator="redirect",
            org_admin="redirect",
        ),
    ),
    "cases:sign_materials": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a(
            "not_found",
            anonymous="signin",
            applicant="redirect",
            institution_staff="redirect",
            mediator="redirect",
            org_admin="redirect",
        ),
    ),
    "cases:complexity": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a(
            "not_found",
            anonymous="signin",
            applicant="redirect",
            institution_staff="redirect",
            mediator="redirect",
            org_admin="redirect",
        ),
    ),
    "cases:material_upload": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a(
            "not_found",
            anonymous="signin",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "cases:answer": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a(
            "not_found",
            anonymous="signin",
            applicant="invalid",
            institution_staff="invalid",
            mediator="invalid",
            org_admin="invalid",
        ),
    ),
    "cases:transfer_request": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a(
            "not_found",
            anonymous="signin",
            applicant="forbidden",
            institution_staff="forbidden",
            mediator="forbidden",
            org_admin="conflict",
        ),
    ),
    "cases:transfer_accept": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "cases:transfer_decline": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "cases:material_download": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
            court_clerk="ok",
            auditor="ok",
        )
    ),
    "rooms:schedule": row(GET=a("not_found", anonymous="signin", mediator="ok", org_admin="ok")),
    "rooms:session": row(
        GET=a(
            "not_found", anonymous="signin", applicant="ok", institution_staff="ok", mediator="ok"
        )
    ),
    "rooms:join": row(GET=a("not_found")),
    "rooms:join_link": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", mediator="ok"),
    ),
    "rooms:device_check": row(
        GET=a(
            "not_found", anonymous="signin", applicant="ok", institution_staff="ok", mediator="ok"
        )
    ),
    "rooms:room": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="redirect",
            institution_staff="redirect",
            mediator="redirect",
        )
    ),
    "rooms:manage": row(GET=a("not_found", anonymous="signin", mediator="ok", org_admin="ok")),
    "rooms:reschedule": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", mediator="invalid", org_admin="invalid"),
    ),
    "rooms:cancel": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", mediator="invalid", org_admin="invalid"),
    ),
    "rooms:link_resend": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", mediator="redirect", org_admin="redirect"),
    ),
    "rooms:link_revoke": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", mediator="redirect", org_admin="redirect"),
    ),
    "mediators:roster": row(SYSADMIN_EVERYWHERE, GET=a("ok")),
    "mediators:photo": row(SYSADMIN_EVERYWHERE, GET=a("not_found")),
    "mediators:feedback": row(SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin")),
    "mediators:manage": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "mediators:guidance": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "mediators:detail": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "mediators:profile_edit": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "mediators:qualification_add": row(
        SYSADMIN_EVERYWHERE,
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="method_not_allowed",
            sysadmin="method_not_allowed",
        ),
        POST=a("not_found", anonymous="signin"),
    ),
    "mediators:qualification_remove": row(
        SYSADMIN_EVERYWHERE,
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="method_not_allowed",
            sysadmin="method_not_allowed",
        ),
        POST=a("not_found", anonymous="signin"),
    ),
    "mediators:reward_add": row(
        SYSADMIN_EVERYWHERE,
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="method_not_allowed",
            sysadmin="method_not_allowed",
        ),
        POST=a("not_found", anonymous="signin"),
    ),
    "mediators:training_add": row(
        SYSADMIN_EVERYWHERE,
        GET=a(
            "not_found",
            anonymous="signin",
            org_admin="method_not_allowed",
            sysadmin="method_not_allowed",
        ),
        POST=a("not_found", anonymous="signin"),
    ),
    "mediators:status": row(SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin")),
    "mediators:exit": row(SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin")),
    "mediators:assess": row(SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin")),
    "conflicts:my_relationships": row(GET=a("ok", anonymous="signin")),
    "conflicts:relationship_edit": row(GET=a("not_found", anonymous="signin")),
    "conflicts:relationship_withdraw": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "conflicts:org_overview": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "conflicts:org_declare": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "conflicts:recusal_decide": row(GET=a("not_found", anonymous="signin")),
    "conflicts:recusal_apply": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        )
    ),
    "conflicts:self_recusal": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        )
    ),
    "conflicts:replace_mediator": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        )
    ),
    "outcomes:obligation_confirm": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "outcomes:confirmation_apply": row(GET=a("not_found", anonymous="signin")),
    "outcomes:confirmation_consent": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "outcomes:confirmation_package": row(GET=a("not_found", anonymous="signin")),
    "outcomes:notarization_request": row(GET=a("not_found", anonymous="signin")),
    "outcomes:notarization_consent": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "outcomes:notarization_guarantor": row(GET=a("not_found", anonymous="signin")),
    "outcomes:notarization_refer": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "outcomes:failure_notice": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        )
    ),
    "outcomes:failure_referral": row(GET=a("not_found", anonymous="signin")),
    "outcomes:court_index": row(GET=a("forbidden", anonymous="signin", court_clerk="ok")),
    "outcomes:court_confirmation": row(GET=a("not_found", anonymous="signin")),
    "outcomes:court_package": row(GET=a("not_found", anonymous="signin")),
    "outcomes:court_referral": row(GET=a("not_found", anonymous="signin")),
    "outcomes:court_referral_notice": row(GET=a("not_found", anonymous="signin")),
    "outcomes:notary_index": row(GET=a("forbidden", anonymous="signin", notary="ok")),
    "outcomes:notary_referral": row(GET=a("not_found", anonymous="signin")),
    "outcomes:notary_document": row(GET=a("not_found", anonymous="signin")),
    "evaluation:mine": row(GET=a("ok", anonymous="signin")),
    "evaluation:org_overview": row(
        SYSADMIN_EVERYWHERE, GET=a("not_found", anonymous="signin", org_admin="ok", sysadmin="ok")
    ),
    "evaluation:request": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="forbidden",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        )
    ),
    "evaluation:detail": row(GET=a("not_found", anonymous="signin")),
    "evaluation:appoint": row(GET=a("not_found", anonymous="signin")),
    "evaluation:declare": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "evaluation:decline": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "evaluation:draft_report": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "evaluation:deliver_report": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "evaluation:report_pdf": row(GET=a("not_found", anonymous="signin")),
    "evaluation:cancel": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "documents:draft": row(GET=a("not_found", anonymous="signin", mediator="ok")),
    "documents:send_to_signing": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "documents:sign": row(GET=a("not_found", anonymous="signin")),
    "documents:sign_code": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "documents:version_pdf": row(GET=a("not_found", anonymous="signin")),
    "documents:sealed_pdf": row(GET=a("not_found", anonymous="signin")),
    "smallclaims:memoranda": row(
        GET=a(
            "not_found", anonymous="signin", institution_staff="ok", org_admin="ok", other_org="ok"
        )
    ),
    "smallclaims:memorandum_create": row(
        GET=a(
            "not_found", anonymous="signin", institution_staff="ok", org_admin="ok", other_org="ok"
        )
    ),
    "smallclaims:memorandum_edit": row(GET=a("not_found", anonymous="signin")),
    "smallclaims:memorandum_delete": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "smallclaims:proposal_issue": row(
        GET=a(
            "not_found",
            anonymous="signin",
            applicant="ok",
            institution_staff="ok",
            mediator="ok",
            org_admin="ok",
        )
    ),
    "smallclaims:proposal": row(GET=a("not_found", anonymous="signin")),
    "smallclaims:proposal_accept": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "smallclaims:proposal_refuse": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    # --- publicity (typical-case library, outreach events) ---
    # Public pages: the lists for everyone; an absent typical case or event is 404.
    "publicity:library": row(GET=a("ok"), POST=a("method_not_allowed")),
    "publicity:case": row(GET=a("not_found")),
    "publicity:events": row(GET=a("ok"), POST=a("method_not_allowed")),
    "publicity:event": row(GET=a("not_found")),
    # Drafting: the case's organization's administrators only; the world's case is not
    # closed, so the administrator is sent back to the case page with the refusal.
    "publicity:draft": row(
        GET=a("method_not_allowed", anonymous="signin"),
        POST=a("not_found", anonymous="signin", org_admin="redirect"),
    ),
    "publicity:manage": row(GET=a("not_found", anonymous="signin", org_admin="ok")),
    "publicity:review": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "publicity:withdraw": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "publicity:event_create": row(
        GET=a("not_found", anonymous="signin", org_admin="ok"),
        POST=a("not_found", anonymous="signin", org_admin="invalid"),
    ),
    "publicity:event_edit": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "publicity:event_publish": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "publicity:event_cancel": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    # meetings (joint meetings, R16): every URL is under a scope key the world does not name,
    # so every signed-in role gets the scope's 404 (tests/meetings check the real scopes).
    "meetings:list": row(GET=a("not_found", anonymous="signin")),
    "meetings:create": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "meetings:detail": row(GET=a("not_found", anonymous="signin")),
    "meetings:edit": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "meetings:minutes": row(GET=a("not_found", anonymous="signin")),
    **{
        f"meetings:{name}": row(
            GET=a("method_not_allowed", anonymous="signin"),
            POST=a("not_found", anonymous="signin"),
        )
        for name in (
            "hold",
            "cancel",
            "attendee_add",
            "attendee_mark",
            "attendee_remove",
            "case_attach",
            "case_detach",
            "alert_attach",
            "alert_detach",
            "decision_add",
            "follow_up_add",
        )
    },
    "meetings:follow_up_done": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    # --- alerts (early warning): the index lists the user's oversight scopes; the other pages
    # are under a scope key the world does not fill (``absent-scope``), so every role is refused.
    "alerts:index": row(
        GET=a(
            "not_found",
            anonymous="signin",
            institution_staff="ok",
            org_admin="ok",
            court_clerk="ok",
            regulator="ok",
            auditor="ok",
            sysadmin="ok",
            other_org="ok",
        ),
        POST=a("method_not_allowed", anonymous="signin"),
    ),
    "alerts:list": row(
        GET=a("not_found", anonymous="signin"), POST=a("method_not_allowed", anonymous="signin")
    ),
    "alerts:detail": row(
        GET=a("not_found", anonymous="signin"), POST=a("method_not_allowed", anonymous="signin")
    ),
    "alerts:acknowledge": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "alerts:close": row(
        GET=a("method_not_allowed", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    # analytics (statistics): the index is every watcher's (a scope from analytics.scope);
    # a scope key that is not the user's own (here "absent-scope") is 404 for everyone.
    "analytics:index": row(
        GET=a(
            "not_found",
            anonymous="signin",
            institution_staff="ok",
            org_admin="ok",
            court_clerk="ok",
            regulator="ok",
            auditor="ok",
            sysadmin="ok",
            other_org="ok",
        )
    ),
    "analytics:dashboard": row(GET=a("not_found", anonymous="signin")),
    "analytics:table_csv": row(GET=a("not_found", anonymous="signin")),
    "analytics:table_xlsx": row(GET=a("not_found", anonymous="signin")),
    "analytics:report_xlsx": row(GET=a("not_found", anonymous="signin")),
    "analytics:report_pdf": row(GET=a("not_found", anonymous="signin")),
    # --- institutions (R17): ``code`` is world A's mediation organization, which no one keeps
    # as a financial institution (the desk answers 404 to everyone signed in, even its staff).
    "institutions:manage_index": row(
        GET=a("not_found", anonymous="signin", institution_staff="ok")
    ),
    "institutions:channels": row(GET=a("not_found", anonymous="signin")),
    "institutions:channel_edit": row(GET=a("not_found", anonymous="signin")),
    "institutions:channel_delete": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "institutions:contacts": row(GET=a("not_found", anonymous="signin")),
    "institutions:contact_edit": row(GET=a("not_found", anonymous="signin")),
    "institutions:contact_delete": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "institutions:clauses": row(GET=a("not_found", anonymous="signin")),
    "institutions:clause_edit": row(GET=a("not_found", anonymous="signin")),
    "institutions:clause_delete": row(
        GET=a("not_found", anonymous="signin"), POST=a("not_found", anonymous="signin")
    ),
    "institutions:cases": row(GET=a("not_found", anonymous="signin")),
    "institutions:report": row(GET=a("not_found", anonymous="signin")),
    "institutions:public": row(GET=a("not_found")),
}

SOCKETS: dict[str, Row] = {
    "ws/rooms/<uuid:session_id>/": row(
        CONNECT=a(
            "closed_4403",
            anonymous="closed_4401",
            applicant="accepted",
            institution_staff="accepted",
            mediator="accepted",
        )
    ),
}
