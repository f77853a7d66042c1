"""The permission matrix (issue 13): every page, API operation and socket × every role.

Routes come from the URL resolver (i18n patterns included), API operations from the OpenAPI
schema drf-spectacular generates, sockets from ``config.routing.websocket_urlpatterns``. Each
answer is compared with ``tests/security/matrix_table.py``; a route without a row, or a row
without a route, fails. Every request runs in a savepoint rolled back after it, so a POST that
passes authorization changes nothing for the next cell. See docs/security/matrix.md.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from accord.rooms.models import SessionParticipant
from accord.rooms.services import notice_acknowledge
from config.routing import websocket_urlpatterns
from tests.security import matrix_table as table
from tests.security.conftest import ROLES, World, Worlds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

# Placeholder values for URL parts that name no object of the world (a token, a year...), and
# for ids of objects the world does not hold: every role must then get the same refusal.
ABSENT_INT = 987_654
ABSENT_UUID = uuid.UUID("00000000-0000-4000-8000-00000000a0a0")
PLACEHOLDERS: dict[str, Any] = {"token": "not-a-token", "year": 2026, "kind": "agreement"}
PLACEHOLDERS["role"] = "applicant"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" as reverse() takes it
    pattern: str
    converters: dict[str, str]  # kwarg → converter class name


def _walk(
    patterns: list[URLPattern | URLResolver], namespace: str | None, prefix: str
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(entry.url_patterns, joined, prefix + str(entry.pattern))
            continue
        converters = {key: type(conv).__name__ for key, conv in entry.pattern.converters.items()}
        name = entry.name or str(entry.pattern)
        yield Route(
            f"{namespace}:{name}" if namespace else name, prefix + str(entry.pattern), converters
        )


def resolver_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, None, ""))


def schema_operations() -> set[tuple[str, str]]:
    """(path, METHOD) of every operation the OpenAPI schema publishes."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = set()
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.add((path, method.upper()))
    return found


ADMIN_FAMILY = "admin:*"


def checked_routes() -> list[Route]:
    """The routes the matrix asks about: Django's admin is one family (row ``admin:*``),
    asked on its index page; every other route is asked itself."""
    return [
        r for r in resolver_routes() if not r.name.startswith("admin:") or r.name == "admin:index"
    ]


def row_name(route: Route) -> str:
    return ADMIN_FAMILY if route.name.startswith("admin:") else route.name


def url_of(route: Route, world: World) -> tuple[str, bool]:
    """The route's URL filled with the world's objects; True when some part is a real object."""
    kwargs: dict[str, Any] = {}
    real = False
    for key, converter in route.converters.items():
        if key in world.kwargs:
            kwargs[key] = world.kwargs[key]
            real = True
        elif key in PLACEHOLDERS:
            kwargs[key] = PLACEHOLDERS[key]
        elif converter == "UUIDConverter":
            kwargs[key] = ABSENT_UUID
        elif converter == "IntConverter":
            kwargs[key] = ABSENT_INT
        else:
            kwargs[key] = f"absent-{key}"
    return reverse(route.name, kwargs=kwargs), real


def status_class(response: Any) -> str:
    code = response.status_code
    if 200 <= code < 300:
        return "ok"
    if code in (301, 302, 303, 307, 308):
        return "signin" if "signin" in response.get("Location", "") else "redirect"
    return table.STATUS_CLASSES.get(code, f"status_{code}")


class Asker:
    """One signed-in client per user (or anonymous), each request in a rolled-back savepoint."""

    def __init__(self, world: World) -> None:
        self.clients: dict[str, Client] = {}
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(world.users[role])
            self.clients[role] = client

    def ask(self, role: str, method: str, url: str) -> str:
        client = self.clients[role]
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            call = client.get if method == "GET" else client.post
            response = call(url)
            if getattr(response, "streaming", False):
                # Read through the test client's wrapper (it closes without ending the test's
                # database connection, which response.close() would do).
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
            answer = status_class(response)
            transaction.set_rollback(True)
        client.cookies = cookies  # a sign-out (rolled back) must not sign this client out
        return answer


def test_every_route_has_a_row_and_every_row_a_route() -> None:
    routes = {row_name(r) for r in resolver_routes()}
    missing = sorted(routes - set(table.ROWS))
    assert not missing, (
        "Routes without a row in tests/security/matrix_table.py (add one to ROWS: the route "
        "name → Row(methods, default=..., ok={...}), see docs/security/matrix.md): "
        + ", ".join(missing)
    )
    stale = sorted(set(table.ROWS) - routes)
    assert not stale, f"Rows for routes that no longer exist (remove them): {', '.join(stale)}"


def test_every_api_operation_is_a_checked_route_and_method() -> None:
    by_pattern = {}
    for route in checked_routes():
        path = "/" + route.pattern
        for key in route.converters:
            for conv in ("str", "int", "uuid", "path", "slug"):
                path = path.replace(f"<{conv}:{key}>", f"{{{key}}}")
        by_pattern[path] = row_name(route)
    problems = []
    for path, method in sorted(schema_operations()):
        name = by_pattern.get(path)
        if name is None:
            problems.append(f"{method} {path}: no resolver route")
        elif method not in table.ROWS[name].methods:
            problems.append(f"{method} {path}: add {method!r} to the methods of row {name!r}")
    assert not problems, "; ".join(problems)


def _expected(row: table.Row, method: str, role: str) -> str:
    return row.expect(method, role)


def test_every_route_answers_every_role_as_the_table_says(worlds: Worlds) -> None:
    asker = Asker(worlds.a)
    wrong = []
    record = os.environ.get("MATRIX_RECORD")
    recorded: dict[str, dict[str, dict[str, str]]] = {}
    for route in checked_routes():
        if record:
            # A draft of the table for routes without a row (docs/security/matrix.md).
            url, _real = url_of(route, worlds.a)
            recorded[row_name(route)] = {
                m: {role: asker.ask(role, m, url) for role in ROLES} for m in ("GET", "POST")
            }
            continue
        row = table.ROWS[row_name(route)]
        url, _real = url_of(route, worlds.a)
        for method in row.methods:
            for role in ROLES:
                got = asker.ask(role, method, url)
                want = _expected(row, method, role)
                if got != want:
                    wrong.append(f"{route.name} {method} {url} as {role}: {got}, table says {want}")
    if record:
        Path(record).write_text(json.dumps(recorded, indent=1, ensure_ascii=False))
        pytest.skip(f"answers recorded in {record}, nothing compared")
    assert not wrong, f"{len(wrong)} cells differ from the table:\n" + "\n".join(wrong)


def test_another_worlds_ids_never_reveal_its_objects(worlds: Worlds) -> None:
    """World A's users (except the one who belongs to world B) ask for world B's objects."""
    asker = Asker(worlds.a)
    leaks = []
    checked = 0
    for route in checked_routes():
        row = table.ROWS[row_name(route)]
        url, real = url_of(route, worlds.b)
        if not real:
            continue
        checked += 1
        for method in row.methods:
            for role in ROLES:
                if role == "other_org" or role in row.cross_ok:
                    continue
                got = asker.ask(role, method, url)
                if got not in table.REFUSED:
                    leaks.append(f"{route.name} {method} {url} as A's {role}: {got}")
    assert checked >= 30, checked  # the id-bearing routes of the world were asked
    assert not leaks, "World B's objects reached from world A:\n" + "\n".join(leaks)


def _socket_answer(world: World, role: str, session_id: Any) -> str:
    from django.contrib.auth.models import AnonymousUser

    (route,) = websocket_urlpatterns
    user = AnonymousUser() if role == "anonymous" else world.users[role]

    async def connect() -> str:
        communicator = WebsocketCommunicator(route.callback, f"/ws/rooms/{session_id}/")
        communicator.scope["user"] = user
        communicator.scope["url_route"] = {"args": (), "kwargs": {"session_id": session_id}}
        connected, _ = await communicator.connect(timeout=5)
        if not connected:
            return "refused"
        message = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        if message["type"] == "websocket.close":
            return f"closed_{message.get('code')}"
        return "accepted"

    with transaction.atomic():
        # The hearing's participants have been through the device check (rolled back after).
        for participant in SessionParticipant.objects.filter(session_id=session_id).select_related(
            "session__case", "user"
        ):
            notice_acknowledge(participant=participant)
        answer = async_to_sync(connect)()
        transaction.set_rollback(True)
    return answer


def test_sockets_answer_every_role_as_the_table_says(
    worlds: Worlds, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The consumer's database calls run on this thread's connection, inside the world's
    # transaction; Channels would close that connection around each call.
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    assert [str(p.pattern) for p in websocket_urlpatterns] == list(table.SOCKETS)
    wrong = []
    for role in ROLES:
        got = _socket_answer(worlds.a, role, worlds.a.hearing.pk)
        want = table.SOCKETS["ws/rooms/<uuid:session_id>/"].expect("CONNECT", role)
        if got != want:
            wrong.append(f"room socket of world A as {role}: {got}, table says {want}")
        other = _socket_answer(worlds.a, role, worlds.b.hearing.pk)
        if other == "accepted" and role != "other_org":
            wrong.append(f"room socket of world B accepted A's {role}")
    assert not wrong, "\n".join(wrong)
