from __future__ import annotations

import pytest
from django.db import transaction

from accord.audit.actors import Actor
from accord.audit.models import TraceChain
from accord.audit.services import trace_append, trace_chain_create


@pytest.fixture
def chain(db) -> TraceChain:
    return trace_chain_create(key="case:TST-2026-00001")


def append(chain: TraceChain, action: str = "test.happened", **payload: object) -> None:
    with transaction.atomic():
        trace_append(chain=chain, action=action, actor=Actor.system("tests"), payload=payload)


@pytest.fixture
def filled_chain(chain: TraceChain) -> TraceChain:
    for index in range(5):
        append(chain, f"test.step{index}", index=index, note="调解 step")
    chain.refresh_from_db()
    return chain
