"""Production checks of the trust configuration (run with the others of accord.core.checks:
``accord check --deploy`` and at the start of the web and the Celery workers).

Outside demo mode a seal configuration that cannot work is an error (``accord.E009``), so that
an operator learns it at start and not at the first agreement; no timestamp authority is a
warning (``accord.W002``): the platform runs, but nothing is sealed and no chain is anchored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from accord.trust.errors import SignerConfigError
from accord.trust.signer_config import configuration_errors, configured_signers

TAG = "accord"  # the tag accord.core.checks runs at start


def register_checks() -> None:
    """Called by TrustConfig.ready()."""
    checks.register(check_trust_settings, TAG, checks.Tags.security, deploy=True)


def check_trust_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if settings.ACCORD_DEMO:
        return []
    messages: list[checks.CheckMessage] = []
    try:
        problems = [
            f"organization {org}: {error}"
            for org, config in configured_signers().items()
            for error in configuration_errors(config)
        ]
    except SignerConfigError as exc:
        problems = [str(exc)]
    if problems:
        messages.append(
            checks.Error(
                "ACCORD_SEAL_SIGNERS cannot be used: " + "; ".join(problems) + ".",
                hint="Fix the entries (docs/operations.md, Seals and timestamps).",
                id="accord.E009",
            )
        )
    if not settings.ACCORD_TSA_URL:
        messages.append(
            checks.Warning(
                "ACCORD_TSA_URL is not set: documents cannot be sealed and case chains are "
                "not anchored in time.",
                hint="Set ACCORD_TSA_URL to an RFC 3161 timestamp authority.",
                id="accord.W002",
            )
        )
    return messages
