"""The development timestamp authority: RFC 3161 over HTTP (``accord dev-tsa``).

``POST /`` with a DER ``TimeStampReq`` (``Content-Type: application/timestamp-query``)
answers a DER ``TimeStampResp`` (``application/timestamp-reply``) signed with the development
PKI's TSA key; ``GET /healthz`` answers ``ok``. Tokens are made by pyHanko's
``DummyTimeStamper`` (a TSA in a class, meant for tests) and always carry the TSA's
certificate and the development CA. It binds to loopback and exists for ``make up`` and the
tests only: production points ``ACCORD_TSA_URL`` at a real authority.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import tsp
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from accord.trust.pki import DevPki
from accord.trust.tsa import DIGEST_SIZES, QUERY_TYPE, REPLY_TYPE, TimeStampResp

logger = logging.getLogger(__name__)

MAX_QUERY_BYTES = 64 * 1024


def _rejection(fail_info: str, text: str) -> bytes:
    """A ``TimeStampResp`` without a token."""
    status = tsp.PKIStatusInfo(
        {
            "status": tsp.PKIStatus("rejection"),
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        }
    )
    return TimeStampResp({"status": status}).dump()


class TimestampAuthority:
    """Answers requests; knows nothing of HTTP."""

    def __init__(self, pki: DevPki) -> None:
        ca = load_cert_from_pemder(str(pki.ca_cert))
        self.stamper = DummyTimeStamper(
            tsa_cert=load_cert_from_pemder(str(pki.tsa_cert)),
            tsa_key=load_private_key_from_pemder(str(pki.tsa_key), passphrase=None),
            certs_to_embed=SimpleCertificateStore.from_certs([ca]),
        )

    def answer(self, body: bytes) -> bytes:
        """The DER ``TimeStampResp`` to a DER ``TimeStampReq``."""
        try:
            req = tsp.TimeStampReq.load(body)
            imprint = req["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
        except (ValueError, TypeError, KeyError):
            return _rejection("bad_data_format", "not a DER TimeStampReq")
        if DIGEST_SIZES.get(algorithm) != len(digest):
            return _rejection("bad_alg", "sha256, sha384 or sha512 digests only")
        try:
            return self.stamper.request_tsa_response(req).dump()
        except (ValueError, TypeError, KeyError):
            return _rejection("bad_request", "the request cannot be answered")


class _Handler(BaseHTTPRequestHandler):
    server: TsaHttpServer
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._send(HTTPStatus.OK, "text/plain", b"ok\n")
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"POST a timestamp query to /\n")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get_content_type() != QUERY_TYPE:
            self._send(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "text/plain", b"timestamp-query only\n")
            return
        if not 0 < length <= MAX_QUERY_BYTES:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "text/plain", b"bad length\n")
            return
        body = self.server.authority.answer(self.rfile.read(length))
        self._send(HTTPStatus.OK, REPLY_TYPE, body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


class TsaHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], authority: TimestampAuthority) -> None:
        self.authority = authority
        super().__init__(address, _Handler)


def make_server(host: str, port: int, pki: DevPki) -> TsaHttpServer:
    return TsaHttpServer((host, port), TimestampAuthority(pki))
