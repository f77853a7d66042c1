"""Re-computing a chain, and the registry of object checks other apps add
(evidence files now, recording segments later)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from accord.audit.canonical import GENESIS_HASH, chain_hash
from accord.audit.models import TraceChain, TraceEvent


@dataclass(frozen=True, slots=True)
class Failure:
    """The first thing that does not hold, named precisely."""

    where: str  # "event 7", "chain head", "object accord-evidence/…"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(slots=True)
class VerifyReport:
    chain_key: str
    events_checked: int = 0
    objects_checked: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def first_failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None


def verify_chain(chain: TraceChain, report: VerifyReport | None = None) -> VerifyReport:
    """Walk the chain in order; stop at the first broken event."""
    report = report or VerifyReport(chain_key=chain.key)
    prev_hash = GENESIS_HASH
    expected_seq = 1
    events: Iterator[TraceEvent] = (
        TraceEvent.objects.filter(chain=chain).order_by("seq", "id").iterator()
    )
    for event in events:
        if event.seq != expected_seq:
            report.failures.append(
                Failure(
                    f"event {expected_seq}",
                    f"missing or out of order: found seq {event.seq} where {expected_seq} belongs",
                )
            )
            return report
        if event.prev_hash != prev_hash:
            report.failures.append(
                Failure(
                    f"event {event.seq}",
                    f"prev_hash {event.prev_hash} does not match the previous event's hash "
                    f"{prev_hash}",
                )
            )
            return report
        recomputed = chain_hash(prev_hash, event.body(chain.key))
        if recomputed != event.hash:
            report.failures.append(
                Failure(
                    f"event {event.seq}",
                    f"content changed: stored hash {event.hash}, recomputed {recomputed} "
                    f"(action {event.action!r})",
                )
            )
            return report
        report.events_checked += 1
        prev_hash = event.hash
        expected_seq += 1
    if chain.head_seq != report.events_checked or chain.head_hash != prev_hash:
        report.failures.append(
            Failure(
                "chain head",
                f"head says seq {chain.head_seq} hash {chain.head_hash}, events end at seq "
                f"{report.events_checked} hash {prev_hash}",
            )
        )
    return report


# An object check receives the chain and the report; it appends Failures and
# counts objects. Apps register theirs in AppConfig.ready().
ObjectCheck = Callable[[TraceChain, VerifyReport], None]
_object_checks: list[ObjectCheck] = []


def register_object_check(check: ObjectCheck) -> ObjectCheck:
    if check not in _object_checks:
        _object_checks.append(check)
    return check


def verify_all(chain: TraceChain) -> VerifyReport:
    """The chain first; object checks only when the chain itself holds."""
    report = verify_chain(chain)
    if report.ok:
        for check in _object_checks:
            check(chain, report)
    return report
