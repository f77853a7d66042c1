"""The judicial confirmation package: what the competent court needs to confirm an agreement
(最高人民法院《关于人民调解协议司法确认程序的若干规定》: the application, the agreement, the
parties' identities and how to reach them), as one zip stored in the documents bucket.

    manifest.json     format, case, court, every file with its SHA-256 and document version
    agreement.pdf     the sealed agreement
    record.pdf        the mediation record (调解笔录), when the case has one
    application.pdf   the parties' application with their statement
    identities.json   the parties' particulars (the court needs them; the trace gets only
                      this file's SHA-256 and the parties' references)

Built and stored before the filing's transaction (no I/O under a row lock).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from accord.cases.models import Case
from accord.core.storage import put_object
from accord.documents.models import DocumentVersion
from accord.orgs.models import Organization
from accord.outcomes.drafting import current_record, pdf_bytes
from accord.outcomes.models import ConfirmationApplication
from accord.outcomes.payloads import VersionRef

PACKAGE_FORMAT = "accord-confirmation-package/1"
# Fixed times inside the zip, so that its bytes depend on the contents only.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class BuiltPackage:
    bucket: str
    key: str
    sha256: str
    size: int
    documents: list[VersionRef]
    identities_sha256: str


def package_key(application: ConfirmationApplication) -> str:
    return f"cases/{application.case.case_no}/confirmation/{application.uuid}.zip"


def identities(case: Case) -> dict[str, Any]:
    """The parties' particulars as the case holds them, for the court."""
    respondent: Organization = case.respondent
    return {
        "applicant": {
            "type": case.applicant_type,
            "name": case.applicant_name,
            "id_number": case.applicant_id_number,
            "credit_code": case.credit_code,
            "representative": case.representative,
            "phone": case.applicant_phone,
        },
        "respondent": {
            "code": respondent.code,
            "name": respondent.name,
            "address": respondent.address,
            "phone": respondent.phone,
        },
        "mediation_organization": {
            "code": case.organization.code,
            "name": case.organization.name,
            "address": case.organization.address,
            "phone": case.organization.phone,
        },
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_package(application: ConfirmationApplication) -> BuiltPackage:
    """Read the documents, zip them with the manifest and store the zip."""
    case = application.case
    parts: list[tuple[str, str, DocumentVersion]] = [
        ("agreement.pdf", "agreement", application.agreement.version)
    ]
    record = current_record(case)
    if record is not None:
        parts.append(("record.pdf", "record", record))
    parts.append(("application.pdf", "statement", application.statement))
    files: list[dict[str, Any]] = []
    documents: list[VersionRef] = []
    contents: list[tuple[str, bytes]] = []
    for name, role, version in parts:
        data = pdf_bytes(version)
        digest = _sha256(data)
        contents.append((name, data))
        files.append(
            {
                "name": name,
                "role": role,
                "version": str(version.uuid),
                "sha256": digest,
                "size": len(data),
            }
        )
        documents.append({"role": role, "version": str(version.uuid), "sha256": digest})
    people = json.dumps(identities(case), ensure_ascii=False, indent=2).encode("utf-8")
    identities_sha256 = _sha256(people)
    files.append({"name": "identities.json", "role": "identities", "sha256": identities_sha256})
    manifest = {
        "format": PACKAGE_FORMAT,
        "case_no": case.case_no,
        "application": str(application.uuid),
        "court": {"code": application.court.code, "name": application.court.name},
        "agreement_effective_on": application.agreement.effective_on.isoformat(),
        "built_at": timezone.now().isoformat(),
        "files": files,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        for name, data in contents:
            _add(archive, name, data)
        _add(archive, "identities.json", people)
    body = buffer.getvalue()
    digest = _sha256(body)
    bucket: str = settings.S3_BUCKET_DOCUMENTS
    key = package_key(application)
    put_object(
        bucket=bucket,
        key=key,
        data=io.BytesIO(body),
        size=len(body),
        content_type="application/zip",
        sha256=digest,
    )
    return BuiltPackage(
        bucket=bucket,
        key=key,
        sha256=digest,
        size=len(body),
        documents=documents,
        identities_sha256=identities_sha256,
    )
