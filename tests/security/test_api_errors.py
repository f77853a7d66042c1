"""Every error under /api/ and /internal/ is the API's JSON error, whichever layer answers
(issue 13): a URL that does not resolve, a refused method, a 500, and a malformed multipart body
served by daphne (Twisted used to answer it with a bare 400 before Django saw it)."""

from __future__ import annotations

import http.client
import json
import socket
import time
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.test import Client, RequestFactory

from accord.core.api_errors import ApiErrorMiddleware
from infra.procs import free_port
from tests.cases.conftest import as_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assert_error_shape(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize(
    "path",
    ["/api/consultations/abc/", "/api/no-such-thing/", "/internal/media/no-such-endpoint"],
)
def test_a_url_that_does_not_resolve_is_a_json_404(client: Client, path: str) -> None:
    assert_error_shape(client.get(path), 404, "not_found")


def test_a_refused_method_is_a_json_405(client: Client) -> None:
    client.force_login(as_user(UserFactory(username="someone")))
    assert_error_shape(client.delete("/api/consultations/"), 405, "method_not_allowed")


def test_pages_outside_the_api_keep_their_html_404(client: Client) -> None:
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_an_html_500_under_the_api_becomes_the_json_error() -> None:
    def crash(request: HttpRequest) -> HttpResponse:
        return HttpResponseServerError("<h1>Server Error (500)</h1>")

    response = ApiErrorMiddleware(crash)(RequestFactory().get("/api/cases/"))
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body == {
        "error": {"code": "server_error", "message": body["error"]["message"], "fields": {}}
    }


def test_an_html_405_keeps_its_allow_header() -> None:
    def refuse(request: HttpRequest) -> HttpResponse:
        answer = HttpResponse("<h1>no</h1>", status=405)
        answer.headers["Allow"] = "GET"
        return answer

    response = ApiErrorMiddleware(refuse)(RequestFactory().post("/internal/media/segments"))
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert json.loads(response.content)["error"]["code"] == "method_not_allowed"


def _raw_post(port: int, path: str, content_type: str, body: bytes) -> tuple[int, bytes, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": content_type, "Host": "127.0.0.1"},
        )
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Content-Type") or ""
    finally:
        connection.close()


def _wait_for_port(port: int, process: Any, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("daphne exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"daphne did not listen on {port}")


@pytest.mark.slow
def test_daphne_hands_a_malformed_multipart_body_to_django(stack_processes: Any) -> None:
    port = free_port()
    process = stack_processes.start("web", STACK_WEB_PORT=str(port))
    try:
        _wait_for_port(port, process)
    except (TimeoutError, RuntimeError) as exc:
        pytest.fail(f"{exc}; its log:\n{stack_processes.log_tail('web')}")
    for content_type, body in (
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=xyz", b"no parts, not even the closing one"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: broken\r\n"),
    ):
        status, content, answered_type = _raw_post(
            port, "/api/cases/FMC-2026-00001/evidence/", content_type, body
        )
        # No session: Django's answer, in the API's shape (Twisted's was a bare 400, no body).
        assert status == 403, (content_type, status, content)
        assert answered_type.startswith("application/json")
        assert json.loads(content)["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=", b"an empty boundary"),
        ("application/json", b'{"not": json'),
    ],
)
def test_a_body_that_does_not_parse_is_a_json_400_for_a_signed_in_user(
    client: Client, content_type: str, body: bytes
) -> None:
    client.force_login(as_user(UserFactory(username="someone")))
    response = client.generic("POST", "/api/cases/", body, content_type=content_type)
    assert_error_shape(response, 400, "parse_error")
