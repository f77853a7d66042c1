"""What the schemathesis runs share (tests/security/test_fuzz_api.py, tests/courts/
test_contract.py): Django's WSGI app for schemathesis to call in the test's transaction, and
the loop over operations and generation modes with its bounded, reproducible settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

MAX_EXAMPLES = 6


@contextmanager
def django_wsgi() -> Iterator[Any]:
    """Django's WSGI app, without closing the test's connection at each request's end (as
    Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


FUZZ_SETTINGS = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # A failure is reported as found: shrinking it would multiply the run's time.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


# Valid-by-schema data refused (ST202): the services' rules (an organization that exists, a case
# in the right state, a phone number's format) are not the schema's; every refusal must still be
# documented and in the error shape, which the other checks prove.
NOT_RUN = [positive_data_acceptance]


def fuzz_operations(operations: list[Any], call: Callable[[Any], None]) -> list[str]:
    """Run ``call`` on generated cases of each operation, positive then negative; the
    failures, one line of operation and mode and schemathesis's report each."""
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ_SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                call(case)

            try:
                run()
            except Unsatisfiable:
                # Nothing to negate (no parameters, or strings that accept anything).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis's FailureGroup
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    return failures
