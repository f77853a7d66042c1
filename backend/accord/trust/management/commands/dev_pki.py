"""`accord dev-pki`: create the development PKI (demo mode only) and print where it is."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.trust.pki import dev_pki_enabled, ensure_dev_pki


class Command(BaseCommand):
    help = (
        "Create the development CA, timestamp authority certificate and CRL under "
        "ACCORD_PKI_DIR (once; safe to repeat). Demo mode (ACCORD_DEMO=1) only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not dev_pki_enabled():
            raise CommandError(
                "the development PKI is only for demo mode (ACCORD_DEMO=1); production "
                "configures ACCORD_SEAL_SIGNERS, ACCORD_TRUST_ROOTS and ACCORD_TSA_URL"
            )
        pki = ensure_dev_pki()
        self.stdout.write(
            f"development PKI in {pki.directory}: CA {pki.ca_cert.name}, "
            f"TSA {pki.tsa_cert.name}, CRL {pki.crl.name}"
        )
