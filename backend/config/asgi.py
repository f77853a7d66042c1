"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Importing it runs the production checks (accord.core.checks): without ACCORD_DEMO=1, insecure
defaults make the import fail, so daphne exits instead of serving. Serve it with
``python -m accord.core.daphne`` (WebSocket and body limits at the protocol level).
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from accord.core.checks import refuse_insecure_start  # noqa: E402

refuse_insecure_start()

# Multipart bodies reach Django unparsed by Twisted: a malformed one gets the API's JSON error
# instead of Twisted's bare 400 (issue 13, accord.core.asgi_server).
from accord.core.asgi_server import leave_request_bodies_to_django  # noqa: E402

leave_request_bodies_to_django()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from accord.core.bodylimit import BodyLimitMiddleware  # noqa: E402
from config.listeners import websockets_public_only  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Bodies over their path's cap are refused before Django reads them.
        "http": BodyLimitMiddleware(django_asgi_app),
        # Not on the internal listener (config.listeners, issue 13).
        "websocket": websockets_public_only(
            AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
