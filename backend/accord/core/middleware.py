"""Language for the REST API.

Pages choose their language by URL prefix (zh-Hans unprefixed, /en/...). The API
lives outside ``i18n_patterns``, where LocaleMiddleware falls back to the default
language; API clients say what they want with Accept-Language instead.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PREFIX = "/api/"


class ApiLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            response.headers.setdefault("Content-Language", translation.get_language())
        return response
