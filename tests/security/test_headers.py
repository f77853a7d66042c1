"""Every page answers with the security headers (docs/security/headers.md).

The URL resolver is walked and every pattern outside the API and the internal media endpoints
is requested, as an anonymous visitor and as a signed-in mediator, with the ids of a real case,
hearing and organization where the pattern names them (any other value otherwise: the 404, 403
or redirect must carry the headers too). Camera and microphone are allowed on the room pages
only. The templates hold no inline script, no inline event handler and no style attribute, so
the strict policy costs no behaviour.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from accord.core.security_headers import allow_media_devices
from accord.rooms.models import HearingSession, SessionParticipant
from tests.rooms.conftest import (  # noqa: F401  (fixtures)
    acknowledged,
    ada,
    alice,
    application,
    bank,
    ben,
    case,
    drive,
    hearing,
    mia,
    org,
)

pytestmark = pytest.mark.django_db

BACKEND = Path(__file__).resolve().parents[2] / "backend"
SKIPPED_PREFIXES = ("api/", "internal/")  # the API (tests/security/test_matrix.py), the worker's
ROOM_PAGES = {"rooms:room", "rooms:device_check"}
# Views that let the same site frame them (the PDF in the signing page's <iframe>).
SAME_ORIGIN_FRAMED = {"documents:version_pdf"}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
REQUIRED_PAGE_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


@dataclass(frozen=True)
class Page:
    route: str  # the pattern as written, e.g. "cases/<str:case_no>/"
    name: str  # namespace:name


def pages() -> Iterator[Page]:
    def walk(
        patterns: list[URLPattern | URLResolver], prefix: str, ns: list[str]
    ) -> Iterator[Page]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = [*ns, pattern.namespace] if pattern.namespace else ns
                yield from walk(pattern.url_patterns, route, inner)
            else:
                yield Page(route, ":".join([*ns, pattern.name or "?"]))

    for page in walk(get_resolver().url_patterns, "", []):
        if not page.route.startswith(SKIPPED_PREFIXES):
            yield page


def fill(route: str, values: dict[str, str]) -> str | None:
    """A path for the route: known ids by name, else any value of the converter's kind.
    None for a regular expression (two admin patterns)."""
    if route.startswith("^") or "(?P<" in route:
        return None

    def value(match: re.Match[str]) -> str:
        name, kind = match["name"], match["kind"] or "str"
        if name in values:
            return values[name]
        return {"int": "999999", "uuid": str(uuid.uuid4())}.get(kind, "x")

    return "/" + CONVERTER.sub(value, route)


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_headers(response, view_name: str, url: str) -> None:
    where = f"{url} ({view_name}, {response.status_code})"
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert headers.get("Cross-Origin-Resource-Policy") == "same-origin", where
    framed = view_name in SAME_ORIGIN_FRAMED and response.status_code == 200
    assert headers.get("X-Frame-Options") == ("SAMEORIGIN" if framed else "DENY"), where
    csp = parse_csp(headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == (["'self'"] if framed else ["'none'"]), where
    if headers.get("Content-Type", "").startswith("text/html"):
        for directive, sources in REQUIRED_PAGE_DIRECTIVES.items():
            assert csp[directive] == sources, (where, directive)
        every = [source for sources in csp.values() for source in sources]
        assert not [s for s in every if s.startswith("'unsafe-")], where
        assert "ws://testserver" in csp["connect-src"], where
    policy = dict(item.split("=", 1) for item in headers["Permissions-Policy"].split(", "))
    for feature in ("geolocation", "payment", "usb"):
        assert policy[feature] == "()", where
    if view_name in ROOM_PAGES and response.status_code == 200:
        assert policy["camera"] == policy["microphone"] == "(self)", where
    else:
        assert policy["camera"] == policy["microphone"] == "()", where
        assert policy["display-capture"] == "()", where


@pytest.fixture
def ids(acknowledged: HearingSession, mia) -> dict[str, str]:  # noqa: F811
    me = SessionParticipant.objects.get(session=acknowledged, user=mia)
    return {
        "case_no": acknowledged.case.case_no,
        "session_id": str(acknowledged.pk),
        "code": acknowledged.case.organization.code,
        "participant_id": str(me.pk),
        "year": "2026",
    }


def requested(client: Client, ids: dict[str, str]) -> tuple[list[tuple[str, str, int]], list[Page]]:
    seen: list[tuple[str, str, int]] = []
    skipped: list[Page] = []
    for page in pages():
        url = fill(page.route, ids)
        if url is None:
            skipped.append(page)
            continue
        response = client.get(url)
        try:
            view_name = resolve(url).view_name
        except Resolver404:
            view_name = page.name
        assert_headers(response, view_name, url)
        seen.append((url, view_name, response.status_code))
    return seen, skipped


def test_every_page_carries_the_headers_for_anyone_and_for_staff(ids, mia):  # noqa: F811
    anonymous = Client(raise_request_exception=False)
    seen, skipped = requested(anonymous, ids)
    assert all(page.name.startswith("admin:") for page in skipped), skipped
    assert len(seen) > 150  # the walk reached every app, not just a few patterns
    staff = Client(raise_request_exception=False)
    staff.force_login(mia)
    seen_staff, _ = requested(staff, ids)
    # No page breaks on an unknown id or an anonymous visitor (healthz: no media worker here).
    errors = [s for s in seen + seen_staff if s[2] >= 500 and s[1] != "healthz"]
    assert errors == []
    statuses = {view: status for _, view, status in seen_staff}
    # The real objects opened real pages, the room pages among them.
    assert statuses["rooms:room"] == statuses["rooms:device_check"] == 200
    assert statuses["cases:detail"] == 200


def test_the_room_pages_allow_camera_and_microphone_and_only_the_room_screen_capture(
    acknowledged,  # noqa: F811
    mia,  # noqa: F811
    client,
):
    client.force_login(mia)
    for url, display in (
        (f"/en/rooms/{acknowledged.pk}/room/", "(self)"),
        (f"/en/rooms/{acknowledged.pk}/check/", "()"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        policy = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
        assert policy["camera"] == policy["microphone"] == "(self)"
        assert policy["display-capture"] == display
    home = client.get("/en/")
    assert "camera=()" in home["Permissions-Policy"]


def test_a_room_page_that_is_not_yours_allows_no_camera(acknowledged, client, ada):  # noqa: F811
    client.force_login(ada)  # administers the organization, is no participant
    response = client.get(f"/en/rooms/{acknowledged.pk}/room/")
    assert response.status_code == 404
    assert "camera=()" in response["Permissions-Policy"]


def test_static_files_and_json_carry_a_policy_too(client):
    script = client.get("/static/js/room/main.js")
    assert script.status_code == 200
    assert script["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert script["X-Content-Type-Options"] == "nosniff"
    health = client.get("/healthz")
    assert health["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_hsts_only_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert "Strict-Transport-Security" not in client.get("/en/").headers
    secure = client.get("/en/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csp = parse_csp(secure["Content-Security-Policy"])
    assert csp["connect-src"] == ["'self'", "wss://testserver"]


def test_x_forwarded_proto_is_believed_from_a_trusted_proxy_only(acknowledged, mia, settings):  # noqa: F811
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ACCORD_TRUSTED_PROXIES = ["10.0.0.5"]
    settings.SECURE_HSTS_SECONDS = 3600
    url = f"/en/rooms/{acknowledged.pk}/room/"
    # The proxy passes the browser's Host on (without it Django would add the port, :80).
    through_proxy = Client(
        REMOTE_ADDR="10.0.0.5", HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https"
    )
    through_proxy.force_login(mia)
    page = through_proxy.get(url)
    assert page["Strict-Transport-Security"] == "max-age=3600"
    assert f'data-ws-url="wss://testserver/ws/rooms/{acknowledged.pk}/"' in page.content.decode()
    direct = Client(
        REMOTE_ADDR="203.0.113.7", HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https"
    )
    direct.force_login(mia)
    page = direct.get(url)
    assert "Strict-Transport-Security" not in page.headers
    assert f'data-ws-url="ws://testserver/ws/rooms/{acknowledged.pk}/"' in page.content.decode()


def test_only_media_features_can_be_allowed():
    with pytest.raises(ValueError, match="geolocation"):
        allow_media_devices("geolocation")


# --- The templates ------------------------------------------------------------------------

TAG = re.compile(r"<(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
# name="value", name='value', name=value or a bare name; template tags inside a tag are skipped.
ATTR = re.compile(
    r"""\{[%{#].*?[%}#]\}|([^\s=/"'{}]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""", re.S
)
JSON_TYPES = {"application/json", "application/ld+json"}


def attributes(text: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for match in ATTR.finditer(text):
        if match[1]:
            value = match[2]
            found[match[1].lower()] = value.strip("\"'") if value is not None else None
    return found


def templates() -> list[Path]:
    # PDF templates are rendered by WeasyPrint on the server, never by a browser.
    return [
        path
        for path in sorted(BACKEND.rglob("templates/**/*.html"))
        if "/pdf/" not in path.as_posix()
    ]


def offences(text: str) -> list[str]:
    found = []
    for tag in TAG.finditer(text):
        name, attrs = tag["name"].lower(), attributes(tag["attrs"])
        if name == "script" and "src" not in attrs and attrs.get("type") not in JSON_TYPES:
            found.append(f"inline script: {tag[0][:80]}")
        if any(re.fullmatch(r"on[a-z]+", a) and v is not None for a, v in attrs.items()):
            found.append(f"inline handler: {tag[0][:80]}")
        if "style" in attrs:
            found.append(f"style attribute: {tag[0][:80]}")
    if re.search(r"<style[\s>]", text, re.I):
        found.append("a <style> element")
    if re.search(r"""(href|src|action)\s*=\s*["']\s*javascript:""", text, re.I):
        found.append("a javascript: URL")
    return found


def test_no_template_has_inline_script_handlers_or_styles():
    paths = templates()
    assert len(paths) > 50
    bad = {str(p.relative_to(BACKEND)): offences(p.read_text()) for p in paths}
    assert {path: found for path, found in bad.items() if found} == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">import "x";</script>',
        '<select onchange="this.form.submit()">',
        "<button\n  onclick='go()'>",
        '<img src="x" style="width:1px">',
        "<style>p{}</style>",
        '<a href="javascript:go()">',
    ],
)
def test_the_template_scan_finds_each_kind_of_offence(snippet):
    assert offences(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script type="module" src="/static/js/room/main.js"></script>',
        '<script id="replay-data" type="application/json">{"a": 1}</script>',
        '<div data-onclick="x" data-style="y" class="one">',
        '<a href="{% url "x" %}" title="no onclick=here">',
    ],
)
def test_the_template_scan_passes_what_the_policy_allows(snippet):
    assert offences(snippet) == []
