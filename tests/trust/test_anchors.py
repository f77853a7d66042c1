"""Chain anchors: tokens over chain heads, checked by verify-case; a chain rewritten before a
stamped head (triggers off, every hash recomputed) is caught; anchoring never fails the caller."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from accord.audit.models import TraceChain
from accord.audit.services import trace_chain_create
from accord.audit.verify import verify_chain
from accord.trust.anchors import anchor_chain_after_commit
from accord.trust.errors import TsaError
from accord.trust.models import ChainAnchor
from accord.trust.services import anchor_chain, chains_to_anchor
from accord.trust.tsa import token_info
from infra.procs import free_port
from tests.audit.conftest import append
from tests.trust.tampering import rewrite_history

CASE_NO = "TST-2026-00042"


@pytest.fixture
def chain(db) -> TraceChain:
    chain = trace_chain_create(key=f"case:{CASE_NO}")
    for index in range(3):
        append(chain, "test.step", index=index, note="调解")
    chain.refresh_from_db()
    return chain


def verify_case() -> str:
    out = io.StringIO()
    call_command("verify_case", CASE_NO, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def broken() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_case", CASE_NO, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_an_anchor_holds_a_token_over_the_head(tsa, chain):
    anchor = anchor_chain(chain.pk, reason="test")

    assert anchor is not None
    assert (anchor.seq, anchor.head_hash) == (3, chain.head_hash)
    info = token_info(bytes(anchor.token))
    assert info.digest == bytes.fromhex(chain.head_hash)
    assert anchor.gen_time == info.gen_time


def test_a_head_is_anchored_once(tsa, chain):
    first = anchor_chain(chain.pk, reason="test")

    again = anchor_chain(chain.pk, reason="daily")

    assert again == first
    assert ChainAnchor.objects.filter(chain=chain).count() == 1


def test_an_empty_chain_is_not_anchored(tsa, db):
    empty = trace_chain_create(key="case:TST-2026-00043")

    assert anchor_chain(empty.pk, reason="test") is None


def test_verify_case_checks_every_anchor(tsa, chain):
    anchor_chain(chain.pk, reason="test")
    append(chain, "test.later", index=3)
    append(chain, "test.later", index=4)
    anchor_chain(chain.pk, reason="test")

    assert "5 events intact, 2 stored objects verified" in verify_case()


def test_a_chain_rewritten_before_a_stamped_head_is_caught(tsa, chain):
    anchor_chain(chain.pk, reason="test")
    append(chain, "test.later", index=3)
    append(chain, "test.later", index=4)

    rewrite_history(chain, 2, {"index": 1, "note": "改写"})

    # The chain verifies by itself: every hash was recomputed, the head moved with them...
    assert verify_chain(chain).ok
    # ...but the authority signed the old hash at seq 3.
    message = broken()
    assert "anchor at seq 3" in message
    assert "the history up to it was rewritten" in message


def test_a_rewritten_anchor_row_does_not_hide_a_rewrite(tsa, chain):
    anchor = anchor_chain(chain.pk, reason="test")
    assert anchor is not None
    new_head = rewrite_history(chain, 1, {"index": 0, "note": "改写"})
    # The operator updates the anchor's recorded head too; the token still says otherwise.
    ChainAnchor.objects.filter(pk=anchor.pk).update(head_hash=new_head)

    assert "anchor at seq 3" in broken()


def test_a_token_with_a_broken_signature_is_caught(tsa, chain):
    anchor = anchor_chain(chain.pk, reason="test")
    assert anchor is not None
    token = bytearray(anchor.token)
    token[-5] ^= 0xFF
    ChainAnchor.objects.filter(pk=anchor.pk).update(token=bytes(token))

    assert "signature does not verify" in broken()


def test_an_anchor_past_the_end_of_the_chain_is_caught(tsa, chain):
    anchor = anchor_chain(chain.pk, reason="test")
    assert anchor is not None
    ChainAnchor.objects.filter(pk=anchor.pk).update(seq=9)

    assert "the chain has no event 9" in broken()


def test_the_daily_run_picks_the_chains_that_moved(tsa, chain):
    quiet = trace_chain_create(key="case:TST-2026-00044")
    append(quiet, "test.step", index=0)
    anchor_chain(quiet.pk, reason="test")
    anchor_chain(chain.pk, reason="test")
    append(chain, "test.later", index=3)
    never = trace_chain_create(key="case:TST-2026-00045")
    append(never, "test.step", index=0)
    empty = trace_chain_create(key="case:TST-2026-00046")

    picked = set(chains_to_anchor().values_list("pk", flat=True))

    assert chain.pk in picked and never.pk in picked
    assert quiet.pk not in picked and empty.pk not in picked


def test_an_unreachable_authority_is_an_error_of_the_task_not_of_the_caller(
    settings, chain, django_capture_on_commit_callbacks
):
    settings.ACCORD_TSA_URL = f"http://127.0.0.1:{free_port()}/"
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        append(chain, "test.sealed", index=3)
        anchor_chain_after_commit(chain, reason="document.sealed")
    # The caller committed; the timestamp waits for Celery (the callback only queues it).
    assert len(callbacks) == 1
    chain.refresh_from_db()
    assert chain.head_seq == 4

    with pytest.raises(TsaError):
        anchor_chain(chain.pk, reason="document.sealed")
    assert not ChainAnchor.objects.exists()


def test_without_an_authority_nothing_is_queued(
    settings, chain, django_capture_on_commit_callbacks
):
    settings.ACCORD_TSA_URL = ""
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        anchor_chain_after_commit(chain, reason="document.sealed")

    assert callbacks == []
