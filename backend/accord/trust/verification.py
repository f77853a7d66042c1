"""``accord verify-case``: every stored chain anchor still matches the chain.

For each anchor: the chain's event at the anchor's sequence number exists and its hash is
the head hash the anchor recorded; the token stamps exactly that hash (its message imprint),
and the token's signature verifies and chains to a trusted root. An operator who rewrote the
history before a stamped point, recomputing every hash, gets a chain that verifies by itself
but not against the authority's signed imprint.
"""

from __future__ import annotations

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import Failure, VerifyReport, register_object_check
from accord.trust.errors import TsaError
from accord.trust.models import ChainAnchor
from accord.trust.tsa import token_info
from accord.trust.validate import verify_token


def check_anchor(anchor: ChainAnchor, event_hash: str | None) -> str | None:
    """What is wrong with ``anchor`` given the chain's hash at its seq, or None."""
    if event_hash is None:
        return f"the chain has no event {anchor.seq}"
    token = bytes(anchor.token)
    try:
        info = token_info(token)
    except TsaError as exc:
        return str(exc)
    stamped = f"{info.hash_algo}:{info.digest.hex()}"
    if stamped != f"sha256:{event_hash}":
        return (
            f"the timestamp of {info.gen_time.isoformat()} stamps {stamped}, but event "
            f"{anchor.seq} has hash {event_hash}: the history up to it was rewritten"
        )
    if anchor.head_hash != event_hash:
        return f"the anchor records head {anchor.head_hash}, event {anchor.seq} has {event_hash}"
    check = verify_token(token, digest=info.digest)
    if not check.intact:
        return f"the token's signature does not verify {check.error}".rstrip()
    if not check.trusted:
        return "the token's authority does not chain to a trusted root (ACCORD_TRUST_ROOTS)"
    return None


@register_object_check
def check_chain_anchors(chain: TraceChain, report: VerifyReport) -> None:
    anchors = list(ChainAnchor.objects.filter(chain=chain).order_by("seq"))
    if not anchors:
        return
    hashes = dict(
        TraceEvent.objects.filter(chain=chain, seq__in=[a.seq for a in anchors]).values_list(
            "seq", "hash"
        )
    )
    for anchor in anchors:
        report.objects_checked += 1
        problem = check_anchor(anchor, hashes.get(anchor.seq))
        if problem is not None:
            report.failures.append(Failure(f"anchor at seq {anchor.seq}", problem))
