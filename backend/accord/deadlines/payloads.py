"""Trace payloads of the deadline services (canonical JSON: dates as strings, no floats, no
personal data: people by account id)."""

from __future__ import annotations

from typing import TypedDict


class DeadlineOpened(TypedDict):
    deadline_id: int
    kind: str
    subject: str
    starts_on: str
    count: str
    length_days: int
    due: str
    provisional: bool


class DeadlineRecomputed(TypedDict):
    deadline_id: int
    kind: str
    # complexity_changed, calendar_changed, court_period_set, extension_applied
    cause: str
    old_due: str
    new_due: str
    old_provisional: bool
    new_provisional: bool
    count: str
    length_days: int
    extension_days: int


class DeadlineClosed(TypedDict):
    deadline_id: int
    kind: str
    # What closed it: the case's move (case_agreement, case_closed…) or event (case_answered).
    cause: str
    due: str
    provisional: bool


class DeadlineReminded(TypedDict):
    deadline_id: int
    kind: str
    days_before: int
    due: str
    provisional: bool
    recipients: list[int]


class DeadlineEscalated(TypedDict):
    deadline_id: int
    kind: str
    due: str
    provisional: bool
    recipients: list[int]


class ExtensionRequested(TypedDict):
    deadline_id: int
    extension_id: int
    days: int
    reason: str


class ExtensionAnswered(TypedDict):
    deadline_id: int
    extension_id: int
    party: str
    consents: bool


class ExtensionApplied(TypedDict):
    deadline_id: int
    extension_id: int
    days: int
    old_due: str
    new_due: str
    provisional: bool
    # Court-entrusted cases: the extension does not count toward the court's trial period.
    outside_trial_period: bool
