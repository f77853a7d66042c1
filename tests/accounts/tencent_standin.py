"""A local stand-in of Tencent Cloud's SMS API (sms.tencentcloudapi.com, version 2021-01-11).

Speaks what the real endpoint speaks at the HTTP edge: a JSON POST with the ``X-TC-*``
headers, a TC3-HMAC-SHA256 ``Authorization`` header it verifies with the secret key it was
given (a wrong key or secret id is refused as the real API refuses it), and the documented
answers: ``{"Response": {"SendStatusSet": [...], "RequestId": ...}}`` or
``{"Response": {"Error": {"Code": ..., "Message": ...}, "RequestId": ...}}``.
Written from the API documentation (https://cloud.tencent.com/document/api/382/55981,
.../product/213/30654 for the signature), not from the SDK.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SERVICE = "sms"
VERSION = "2021-01-11"
_AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)"
    r"/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(
    *,
    secret_key: str,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    signed: list[str],
    body: bytes,
    timestamp: str,
    date: str,
    service: str,
) -> str:
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed
    )
    canonical_request = "\n".join(
        [method, path, query, canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()]
    )
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class TencentSmsStandIn:
    secret_id: str
    secret_key: str
    app_id: str
    # What the next requests get instead of success: an API error code, or an HTTP status.
    error_code: str = ""
    http_status: int = 200
    # Numbers the gateway accepts in the call but refuses to deliver to (per-number status).
    undeliverable: dict[str, str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self.server is not None
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> None:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, answer = standin.answer(self.command, self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                # Exactly this: clients look for an error body only under a JSON type.
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def answer(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        request_id = str(uuid.uuid4())

        def error(code: str, message: str) -> tuple[int, dict[str, Any]]:
            return 200, {
                "Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}
            }

        if self.http_status != 200:
            return self.http_status, {}
        lowered = {k.lower(): v for k, v in headers.items()}
        match = _AUTH.match(lowered.get("authorization", ""))
        if match is None or match["service"] != SERVICE:
            return error(
                "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
            )
        if match["id"] != self.secret_id:
            return error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        signed = match["signed"].split(";")
        if "host" not in signed or "content-type" not in signed:
            return error("AuthFailure.SignatureFailure", "content-type and host must be signed.")
        expected = tc3_signature(
            secret_key=self.secret_key,
            method=method,
            path=path.partition("?")[0],
            query=path.partition("?")[2],
            headers=lowered,
            signed=signed,
            body=body,
            timestamp=lowered.get("x-tc-timestamp", ""),
            date=match["date"],
            service=SERVICE,
        )
        if not hmac.compare_digest(expected, match["sig"]):
            return error(
                "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
            )
        if lowered.get("x-tc-action") != "SendSms" or lowered.get("x-tc-version") != VERSION:
            return error("InvalidAction", "The requested action does not exist.")
        params = json.loads(body)
        self.requests.append({"headers": lowered, "params": params})
        if self.error_code:
            return error(self.error_code, f"stand-in answers {self.error_code}")
        if params.get("SmsSdkAppId") != self.app_id:
            return error(
                "FailedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed."
            )
        statuses = []
        for number in params.get("PhoneNumberSet", []):
            code = self.undeliverable.get(number, "Ok")
            statuses.append(
                {
                    "SerialNo": f"2433:{uuid.uuid4().int % 10**20}",
                    "PhoneNumber": number,
                    "Fee": 1,
                    "SessionContext": params.get("SessionContext", ""),
                    "Code": code,
                    "Message": "send success" if code == "Ok" else f"refused: {code}",
                    "IsoCode": "CN",
                }
            )
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}
