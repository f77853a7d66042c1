"""Hearing-session tests reuse the case tests' cast and drive helper."""

from tests.cases.conftest import (  # noqa: F401  (fixtures)
    ada,
    alice,
    application,
    bank,
    ben,
    case,
    charlie,
    drive,
    mia,
    org,
    other_bank,
    other_org,
)
