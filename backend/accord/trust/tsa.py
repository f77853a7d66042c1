"""RFC 3161 timestamps from the authority at ``ACCORD_TSA_URL`` (docs/operations.md).

:func:`request_token` is the one client: it posts a ``TimeStampReq`` (with a fresh nonce and
``certReq``) over HTTP(S), optionally with basic authentication, and returns the DER
``TimeStampToken`` after checking that the authority granted it, echoed the nonce and stamped
the digest it was given (hash algorithm and value). :class:`AccordTimeStamper` is the same
client in the shape pyHanko's signer wants for the timestamps inside sealed PDFs.
"""

from __future__ import annotations

import asyncio
import base64
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import algos, cms, core, pem, tsp
from django.conf import settings
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import get_nonce

from accord.trust.errors import TsaError, TsaNotConfigured

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# Far more than any token; a bound so that a wrong URL cannot stream into memory forever.
MAX_REPLY_BYTES = 1024 * 1024
DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


class TimeStampResp(core.Sequence):
    """RFC 3161's ``TimeStampResp``, whose token is OPTIONAL (absent when refused);
    asn1crypto's ``tsp.TimeStampResp`` requires it and cannot read a refusal."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def tsa_configured() -> bool:
    return bool(settings.ACCORD_TSA_URL)


def _headers() -> dict[str, str]:
    headers = {"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE}
    username: str = settings.ACCORD_TSA_USERNAME
    if username:
        credentials = f"{username}:{settings.ACCORD_TSA_PASSWORD}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
    return headers


def post_request(req: tsp.TimeStampReq) -> TimeStampResp:
    """One HTTP round trip to the configured TSA."""
    url: str = settings.ACCORD_TSA_URL
    if not url:
        raise TsaNotConfigured("no timestamp authority is configured (ACCORD_TSA_URL)")
    if not url.startswith(("http://", "https://")):
        raise TsaError(f"ACCORD_TSA_URL must be an http(s) URL, got {url!r}")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, data=req.dump(), headers=_headers(), method="POST"
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (the scheme is checked above)
            request, timeout=settings.ACCORD_TSA_TIMEOUT_SECONDS
        ) as response:
            content_type = response.headers.get_content_type()
            body = response.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TsaError(f"the timestamp authority answered HTTP {exc.code}") from exc
    except (OSError, ValueError) as exc:
        raise TsaError(f"the timestamp authority at {url} did not answer: {exc}") from exc
    if content_type != REPLY_TYPE:
        raise TsaError(f"the timestamp authority answered {content_type}, not {REPLY_TYPE}")
    if len(body) > MAX_REPLY_BYTES:
        raise TsaError("the timestamp authority's answer is too large")
    try:
        resp = TimeStampResp.load(body)
        resp.native  # noqa: B018 (parses the whole structure now, not later)
    except (ValueError, TypeError) as exc:
        raise TsaError(f"the timestamp authority's answer is not a TimeStampResp: {exc}") from exc
    return resp


def timestamp_request(digest: bytes, hash_algo: str, nonce: int) -> tsp.TimeStampReq:
    return tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": tsp.MessageImprint(
                {
                    "hash_algorithm": algos.DigestAlgorithm({"algorithm": hash_algo}),
                    "hashed_message": digest,
                }
            ),
            "nonce": core.Integer(nonce),
            "cert_req": True,
        }
    )


def checked_token(
    resp: TimeStampResp, *, digest: bytes, hash_algo: str, nonce: int
) -> cms.ContentInfo:
    """The token of a granted response, once it is shown to stamp ``digest`` for ``nonce``."""
    status = resp["status"]
    if status["status"].native not in {"granted", "granted_with_mods"}:
        text = "; ".join(status["status_string"].native or [])
        fail = ", ".join(sorted(status["fail_info"].native or []))
        raise TsaError(f"the timestamp authority refused: {text or 'no reason'} ({fail})")
    token = resp["time_stamp_token"]
    if not isinstance(token, cms.ContentInfo) or token["content_type"].native != "signed_data":
        raise TsaError("the timestamp authority granted but sent no token")
    info = token_info(token.dump())
    if info.nonce != nonce:
        raise TsaError(f"the timestamp authority echoed nonce {info.nonce}, not {nonce}")
    if (info.hash_algo, info.digest) != (hash_algo, digest):
        raise TsaError(
            f"the token stamps {info.hash_algo}:{info.digest.hex()}, not {hash_algo}:{digest.hex()}"
        )
    return token


def request_token(digest: bytes, hash_algo: str = "sha256") -> bytes:
    """A DER ``TimeStampToken`` over ``digest`` from the configured TSA.

    Raises :class:`TsaNotConfigured` without ``ACCORD_TSA_URL`` and :class:`TsaError` when the
    authority does not answer, refuses, or answers with a token for another digest or nonce.
    """
    if DIGEST_SIZES.get(hash_algo) != len(digest):
        raise ValueError(f"a {hash_algo} digest has {DIGEST_SIZES.get(hash_algo)} bytes")
    nonce = get_nonce()
    resp = post_request(timestamp_request(digest, hash_algo, nonce))
    return checked_token(resp, digest=digest, hash_algo=hash_algo, nonce=nonce).dump()


@dataclass(frozen=True, slots=True)
class TokenInfo:
    hash_algo: str
    digest: bytes
    gen_time: datetime
    serial_number: int
    nonce: int | None
    policy: str


def _tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    content = token["content"]["encap_content_info"]["content"]
    parsed = content.parsed if isinstance(content, core.ParsableOctetString) else None
    if not isinstance(parsed, tsp.TSTInfo):
        raise ValueError("the token does not encapsulate a TSTInfo")
    return parsed


def token_info(token_der: bytes) -> TokenInfo:
    """What a DER ``TimeStampToken`` states (nothing here checks its signature)."""
    try:
        tst = _tst_info(cms.ContentInfo.load(token_der))
        imprint = tst["message_imprint"]
        return TokenInfo(
            hash_algo=imprint["hash_algorithm"]["algorithm"].native,
            digest=imprint["hashed_message"].native,
            gen_time=tst["gen_time"].native,
            serial_number=tst["serial_number"].native,
            nonce=tst["nonce"].native,
            policy=tst["policy"].dotted,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise TsaError(f"not a timestamp token: {exc}") from exc


def token_certificates_pem(token_der: bytes) -> bytes:
    """The certificates a token carries (the TSA's first), as PEM: what a validator needs
    besides the trust roots to check the authority's signature (``openssl ts -untrusted``)."""
    try:
        signed_data = cms.ContentInfo.load(token_der)["content"]
        signers = {
            (info["sid"].chosen["issuer"].dump(), info["sid"].chosen["serial_number"].native)
            for info in signed_data["signer_infos"]
            if info["sid"].name == "issuer_and_serial_number"
        }
        certs = [c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"]
    except (ValueError, TypeError, KeyError) as exc:
        raise TsaError(f"not a timestamp token: {exc}") from exc
    certs.sort(key=lambda cert: (cert.issuer.dump(), cert.serial_number) not in signers)
    return b"".join(pem.armor("CERTIFICATE", cert.dump()) for cert in certs)


class AccordTimeStamper(TimeStamper):
    """pyHanko's view of :func:`request_token`'s authority (seals, document timestamps)."""

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> TimeStampResp:
        return await asyncio.to_thread(post_request, req)

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        nonce = get_nonce()
        resp = await self.async_request_tsa_response(
            timestamp_request(message_digest, md_algorithm, nonce)
        )
        return checked_token(resp, digest=message_digest, hash_algo=md_algorithm, nonce=nonce)
