"""Security headers on every response of the web (docs/security/headers.md).

``SecurityHeadersMiddleware`` is the first middleware (before Django's SecurityMiddleware), so
the static files WhiteNoise answers, HTTPS redirects, 404s and error pages get the headers too:

- ``Content-Security-Policy``: on HTML, a strict policy (:func:`page_policy`): scripts, styles,
  images, media and frames only from the site itself, no inline script or style, no
  ``eval``, no plugins, the room socket on the page's own host, and the page may not be framed.
  Other responses carry only what matters for them (:func:`resource_policy`): who may frame
  them, and for JSON/SVG/XML nothing to load at all. PDFs keep no more than ``frame-ancestors``
  because the browser's own PDF viewer needs its inline styles and plugin.
- ``Permissions-Policy``: camera, microphone and screen capture are off everywhere except on
  views decorated with :func:`allow_media_devices` (the room and its device check).
- ``X-Frame-Options: DENY`` (``SAMEORIGIN`` where a view asked for it with Django's
  ``xframe_options_sameorigin``, and then ``frame-ancestors 'self'``), ``nosniff``,
  ``Referrer-Policy``, ``Cross-Origin-Opener-Policy``, for responses that did not pass through
  Django's own middlewares, and ``Cross-Origin-Resource-Policy: same-origin``.

It also drops ``X-Forwarded-Proto`` from requests whose TCP peer is not a trusted proxy
(``ACCORD_TRUSTED_PROXIES``), so with ``ACCORD_PROXY_SSL_HEADER`` on a client that reaches the
web directly cannot claim HTTPS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase

from accord.core.requests import from_trusted_proxy

CSP = "Content-Security-Policy"
PERMISSIONS = "Permissions-Policy"

# Features a page may never use; camera, microphone and display-capture are added per page.
# Only names Chromium knows: it logs "Unrecognized feature" for others (tests/browser/test_replay.py
# fails on that; "bluetooth" was one).
DENIED_FEATURES = (
    "accelerometer",
    "browsing-topics",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "midi",
    "payment",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
MEDIA_FEATURES = ("camera", "microphone", "display-capture")

# Content types that are read as documents with nothing of their own to load.
INERT_TYPES = ("application/json", "image/svg+xml", "application/xml", "text/xml")
HTML_TYPES = ("text/html", "application/xhtml+xml")

_MEDIA_ATTR = "accord_media_devices"


def _frame_ancestors(response: HttpResponseBase) -> str:
    if str(response.headers.get("X-Frame-Options", "")).upper() == "SAMEORIGIN":
        return "'self'"
    return "'none'"


def _request_host(request: HttpRequest) -> str | None:
    """The page's host (validated by ALLOWED_HOSTS); None when Django refused it."""
    try:
        return request.get_host()
    except DisallowedHost:
        return None


def page_policy(request: HttpRequest, response: HttpResponseBase) -> str:
    return page_policy_for(
        _request_host(request), secure=request.is_secure(), ancestors=_frame_ancestors(response)
    )


def page_policy_for(host: str | None, *, secure: bool, ancestors: str = "'none'") -> str:
    """The policy of an HTML page on ``host``. The room's socket is on the page's own host:
    'self' matches ws:/wss: there in CSP 3 browsers, older ones need it spelled out."""
    sockets = (
        [] if host is None else [f"wss://{host}"] if secure else [f"ws://{host}", f"wss://{host}"]
    )
    directives = [
        ("default-src", ["'self'"]),
        ("script-src", ["'self'"]),
        ("style-src", ["'self'"]),
        ("img-src", ["'self'"]),
        ("media-src", ["'self'"]),
        ("font-src", ["'self'"]),
        ("connect-src", ["'self'", *sockets]),
        ("frame-src", ["'self'"]),
        ("worker-src", ["'self'"]),
        ("manifest-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'self'"]),
        ("form-action", ["'self'"]),
        ("frame-ancestors", [ancestors]),
    ]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives)


def resource_policy(response: HttpResponseBase, content_type: str) -> str:
    frame = f"frame-ancestors {_frame_ancestors(response)}"
    if content_type in INERT_TYPES or content_type.endswith("+json"):
        return f"default-src 'none'; {frame}"
    return frame


def permissions_policy(media: tuple[str, ...] = ()) -> str:
    features = [(name, "(self)" if name in media else "()") for name in MEDIA_FEATURES]
    features += [(name, "()") for name in DENIED_FEATURES]
    return ", ".join(f"{name}={allow}" for name, allow in features)


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def allow_media_devices(*features: str) -> Callable[[_View], _View]:
    """Let this view's page use camera, microphone (and, when named, display-capture) of the
    browser; every other page has them off (``Permissions-Policy``)."""
    allowed = features or ("camera", "microphone")
    unknown = set(allowed) - set(MEDIA_FEATURES)
    if unknown:
        raise ValueError(f"not a media feature: {sorted(unknown)}")

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            setattr(response, _MEDIA_ATTR, tuple(allowed))
            return response

        return wrapped  # type: ignore[return-value]

    return decorator


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        response = self.get_response(request)
        add_security_headers(request, response)
        return response


def add_security_headers(request: HttpRequest, response: HttpResponseBase) -> None:
    headers = response.headers
    if "X-Frame-Options" not in headers and not getattr(response, "xframe_options_exempt", False):
        headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    content_type = str(headers.get("Content-Type", "")).split(";")[0].strip().lower()
    if CSP not in headers:
        if content_type in HTML_TYPES or not content_type:
            headers[CSP] = page_policy(request, response)
        else:  # a PDF, an image, a recording, JSON, a script or style sheet
            headers[CSP] = resource_policy(response, content_type)
    if PERMISSIONS not in headers:
        headers[PERMISSIONS] = permissions_policy(getattr(response, _MEDIA_ATTR, ()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # No other site may embed our answers (photos, recordings, PDFs) as its own subresources.
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    referrer = settings.SECURE_REFERRER_POLICY
    if referrer:
        value = referrer if isinstance(referrer, str) else ",".join(referrer)
        headers.setdefault("Referrer-Policy", value)
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.setdefault("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY)
