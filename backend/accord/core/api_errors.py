"""Errors under /api/ and /internal/ in the API's JSON shape, whichever layer answers (issue 13).

DRF's views answer their own errors as ``{"error": {"code", "message", "fields"}}``
(``accord.core.api.exception_handler``). What does not reach a DRF view still answered Django's
HTML: a URL that does not resolve (``/api/consultations/abc/``: a 404 page), a method Django
refuses, a 500 from a middleware, a 400 from a request Django cannot read. This middleware,
outermost, turns any error response under those prefixes that is not JSON into the documented
JSON error with the same status (and keeps headers such as ``Allow`` and ``Retry-After``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from accord.core.api import error_body

API_PREFIXES = ("/api/", "/internal/")
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Content-Language", "Vary")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _code_and_message(status: int) -> tuple[str, str]:
    if status == 400:
        return "bad_request", _("The request could not be read.")
    if status == 401:
        return "not_authenticated", _("Authentication credentials were not provided.")
    if status == 403:
        return "permission_denied", _("You do not have permission to perform this action.")
    if status == 404:
        return "not_found", _("Not found.")
    if status == 405:
        return "method_not_allowed", _("This method is not allowed here.")
    if status == 413:
        return "too_large", _("The request body is too large.")
    if status >= 500:
        return "server_error", _("The server could not answer; try again later.")
    return "error", _("The request was refused.")


def json_error_for(response: HttpResponse) -> JsonResponse:
    """The JSON error that stands for ``response`` (an error answered in another format)."""
    code, message = _code_and_message(response.status_code)
    answer = JsonResponse(error_body(code, message), status=response.status_code)
    for header in KEPT_HEADERS:
        if header in response.headers:
            answer.headers[header] = response.headers[header]
    return answer


def is_json(response: HttpResponse) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return content_type.split(";")[0].strip().lower() == "application/json"


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and is_api_path(request.path) and not is_json(response):
            return json_error_for(response)
        return response
