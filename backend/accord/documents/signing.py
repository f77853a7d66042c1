"""Signing a version: a one-time code to the signer's phone, then the signature on the exact
SHA-256 shown; when every required side has signed, the seal is queued after commit.

Required sides: the applicant, one staff member of the respondent institution, the case's
mediator. A refusal writes nothing (the code's attempt counter excepted).
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from minio.error import S3Error

from accord.accounts.models import User
from accord.accounts.sms import SmsTemplate, TransportError, send_sms
from accord.audit.actors import Actor
from accord.cases.models import Case
from accord.cases.selectors import case_parties
from accord.cases.services.transitions import case_trace, lock_case
from accord.cases.states import Party
from accord.core.api import ServiceError
from accord.core.storage import s3_client
from accord.documents import hooks
from accord.documents.errors import (
    AlreadySigned,
    CodeInvalid,
    DocumentStorageUnavailable,
    NotASigner,
    NotForSigning,
    VersionSuperseded,
)
from accord.documents.models import (
    DocumentVersion,
    Signature,
    SignCode,
    SignerSide,
    VersionStatus,
)
from accord.documents.services import _actor, store_pdf, version_pdf
from accord.documents.tasks import queue_seal
from accord.inbox.services import notify
from accord.trust.anchors import anchor_chain_after_commit
from accord.trust.seal import seal_pdf

SEAL_ACTOR = Actor.system("documents.seal")

CODE_TTL_SECONDS = 600
CODE_MAX_ATTEMPTS = 5
IMAGE_MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REQUIRED_SIDES = frozenset(SignerSide.values)


def _code_hash(version: DocumentVersion, user: User, code: str) -> str:
    return salted_hmac(
        "accord.documents.sign-code", f"{version.pk}:{user.pk}:{code}", algorithm="sha256"
    ).hexdigest()


def signer_side(*, version: DocumentVersion, user: User) -> str | None:
    """The side ``user`` signs ``version`` for, or None when they are not a signer."""
    parties = case_parties(case=version.document.case, user=user)
    if Party.MEDIATOR in parties:
        return SignerSide.MEDIATOR
    if Party.APPLICANT in parties:
        return SignerSide.APPLICANT
    if Party.INSTITUTION in parties:
        return SignerSide.INSTITUTION
    return None


def _checked_side(version: DocumentVersion, user: User) -> str:
    side = signer_side(version=version, user=user)
    if side is None:
        raise NotASigner(_("You do not sign this document."))
    if version.status == VersionStatus.SUPERSEDED:
        raise VersionSuperseded(_("This version has changed since it was shown: reload."))
    if version.status != VersionStatus.SIGNING:
        raise NotForSigning(_("This version is not out for signing."))
    if version.signatures.filter(side=side).exists():
        raise AlreadySigned(_("Your side has already signed this version."))
    return side


def signing_code_request(*, version: DocumentVersion, user: User) -> SignCode:
    """Send a 6-digit code to ``user``'s phone to confirm their signature on ``version``."""
    _checked_side(version, user)
    if not user.phone:
        raise ServiceError(_("Your account has no mobile number."), code="phone_missing")
    recent = SignCode.objects.filter(
        version=version, user=user, created_at__gt=timezone.now() - timedelta(seconds=60)
    )
    if recent.exists():
        raise ServiceError(
            _("A code was just sent. Wait a minute before asking for another."),
            code="resend_too_soon",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    minutes = CODE_TTL_SECONDS // 60
    case_no = version.document.case.case_no
    try:
        with transaction.atomic():
            record = SignCode.objects.create(
                version=version,
                user=user,
                code_hash=_code_hash(version, user, code),
                created_at=now,
                expires_at=now + timedelta(seconds=CODE_TTL_SECONDS),
            )
            send_sms(
                phone=user.phone,
                message=_(
                    "Your Accord signing code for case %(case_no)s is %(code)s. It expires in "
                    "%(minutes)d minutes. Do not share it with anyone."
                )
                % {"case_no": case_no, "code": code, "minutes": minutes},
                template=SmsTemplate.of(
                    "document_sign_code", case_no=case_no, code=code, minutes=minutes
                ),
            )
    except TransportError as exc:
        raise ServiceError(
            _("The text message could not be sent. Please try again in a moment."),
            code="sms_failed",
        ) from exc
    return record


def _check_code(version: DocumentVersion, user: User, code: str) -> SignCode:
    record = (
        SignCode.objects.filter(version=version, user=user, used_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    wrong = CodeInvalid(
        _("The code is wrong, expired or used. Ask for a new code."),
        fields={"code": [_("Wrong, expired or used code.")]},
    )
    if record is None or record.expires_at <= timezone.now():
        raise wrong
    if record.attempts >= CODE_MAX_ATTEMPTS:
        raise wrong
    if not secrets.compare_digest(record.code_hash, _code_hash(version, user, code.strip())):
        SignCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        raise wrong
    return record


def image_from_data_url(value: str) -> bytes | None:
    """The PNG bytes of a ``data:image/png;base64,...`` URL (None when empty)."""
    if not value:
        return None
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise _bad_image()
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except ValueError:
        raise _bad_image() from None


def _bad_image() -> ServiceError:
    return ServiceError(
        _("The handwritten signature must be a PNG image of at most 512 KB."),
        code="image_invalid",
        fields={"image": [_("A PNG image of at most 512 KB.")]},
    )


def document_sign(
    *,
    version: DocumentVersion,
    user: User,
    code: str,
    shown_sha256: str,
    image: bytes | None = None,
) -> Signature:
    """Sign ``version`` for ``user``'s side, confirmed by the code sent to their phone.

    Raises ``not_a_signer`` (403), ``not_for_signing`` (409), ``version_superseded`` (409),
    ``already_signed`` (409), ``code_invalid`` (400), ``image_invalid`` (400)."""
    side = _checked_side(version, user)
    if shown_sha256 != version.sha256:
        raise VersionSuperseded(_("This version has changed since it was shown: reload."))
    if image is not None and (len(image) > IMAGE_MAX_BYTES or not image.startswith(PNG_MAGIC)):
        raise _bad_image()
    record = _check_code(version, user, code)
    image_bucket = image_key = image_sha256 = ""
    case = version.document.case
    if image is not None:
        name = f"{version.uuid}-signature-{side}"
        image_bucket, image_key, image_sha256 = _store_image(case=case, name=name, image=image)
    with transaction.atomic():
        locked_case = lock_case(case)
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        current = locked.document.versions.order_by("-number").first()
        if current is None or current.pk != locked.pk or locked.sha256 != shown_sha256:
            raise VersionSuperseded(_("This version has changed since it was shown: reload."))
        if locked.status != VersionStatus.SIGNING:
            raise NotForSigning(_("This version is not out for signing."))
        if locked.signatures.filter(side=side).exists():
            raise AlreadySigned(_("Your side has already signed this version."))
        used = SignCode.objects.filter(pk=record.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            raise CodeInvalid(
                _("The code is wrong, expired or used. Ask for a new code."),
                fields={"code": [_("Wrong, expired or used code.")]},
            )
        signature = Signature.objects.create(
            version=locked,
            signer=user,
            side=side,
            signed_sha256=locked.sha256,
            image_bucket=image_bucket,
            image_key=image_key,
            image_sha256=image_sha256,
            signed_at=timezone.now(),
        )
        case_trace(
            locked=locked_case,
            action="document.signed",
            actor=_actor(locked_case, user),
            payload={
                "version": str(locked.uuid),
                "sha256": locked.sha256,
                "signer": user.pk,
                "side": side,
                "image_sha256": image_sha256,
            },
        )
        sides = set(locked.signatures.values_list("side", flat=True))
        if sides >= REQUIRED_SIDES:
            version_id = locked.pk
            transaction.on_commit(lambda: queue_seal(version_id), robust=True)
    return signature


def _store_image(*, case: Case, name: str, image: bytes) -> tuple[str, str, str]:
    bucket: str = settings.S3_BUCKET_DOCUMENTS
    key = f"cases/{case.case_no}/documents/{name}.png"
    try:
        s3_client().put_object(
            bucket, key, io.BytesIO(image), length=len(image), content_type="image/png"
        )
    except (S3Error, OSError) as exc:
        raise DocumentStorageUnavailable(
            _("Document storage is unavailable; please try later.")
        ) from exc
    return bucket, key, hashlib.sha256(image).hexdigest()


def document_seal(*, version_id: int) -> DocumentVersion:
    """Apply the organization's seal to a fully signed version (idempotent: a sealed version
    is returned as it is). Raises ``seal_unavailable`` (TSA or certificate missing): the
    version stays out for signing with all its signatures, and the task retries."""
    version = DocumentVersion.objects.select_related("document__case__organization").get(
        pk=version_id
    )
    if version.status == VersionStatus.SEALED:
        return version
    case = version.document.case
    sides = set(version.signatures.values_list("side", flat=True))
    if version.status != VersionStatus.SIGNING or not sides >= REQUIRED_SIDES:
        return version
    pdf = version_pdf(version)
    sealed = seal_pdf(
        pdf,
        organization_id=case.organization.pk,
        organization_name=case.organization.name,
        reason=_("Mediation document %(case_no)s signed by every party")
        % {"case_no": case.case_no},
        location=case.organization.name,
    )
    bucket, key, sha256 = store_pdf(case=case, name=f"{version.uuid}-sealed", pdf=sealed)
    with transaction.atomic():
        locked_case = lock_case(case)
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status == VersionStatus.SEALED:
            return locked
        locked.sealed_key = key
        locked.sealed_sha256 = sha256
        locked.sealed_at = timezone.now()
        locked.status = VersionStatus.SEALED
        locked.save(update_fields=["sealed_key", "sealed_sha256", "sealed_at", "status"])
        case_trace(
            locked=locked_case,
            action="document.sealed",
            actor=SEAL_ACTOR,
            payload={
                "document": str(locked.document.uuid),
                "version": str(locked.uuid),
                "bucket": bucket,
                "key": key,
                "size": len(sealed),
                "sha256": sha256,
            },
        )
        anchor_chain_after_commit(locked_case.chain, reason="document.sealed")
        hooks.document_sealed(locked)
        signers = [s.signer for s in locked.signatures.select_related("signer")]
        notify(
            signers,
            kind="document_sealed",
            text=_("The document of case %(case_no)s is signed and sealed.")
            % {"case_no": locked_case.case_no},
            case_no=locked_case.case_no,
        )
    return locked
