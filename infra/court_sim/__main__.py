"""``python -m infra.court_sim``: run the court simulator, or act as a court against Accord.

    serve  --port N --callback-key-id ID --callback-secret S [--materials DIR] [--events FILE]
    push   --base-url URL --key-id ID --secret S (--file body.json | --demo)
    get    ID --base-url URL --key-id ID --secret S
    events --sim-url URL
    down   --sim-url URL
    up     --sim-url URL

Keys may come from ``--key-file F``, the JSON ``accord demo-court-key --json`` prints
(``key_id``, ``secret``, ``base_url``, ``callback_key_id``, ``callback_secret``, ``court``);
options given on the command line win over the file. See docs/court-simulator.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import secrets
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from infra.court_sim.client import CourtClient
from infra.court_sim.server import CourtSimulator

# A financial institution of the demo data (backend/accord/demo/data.py).
DEMO_RESPONDENT = "EXBANK"


def demo_body(*, respondent_code: str = DEMO_RESPONDENT, organization: str = "") -> dict[str, Any]:
    """A sample entrustment with a court case number of its own each time."""
    year = dt.date.today().year
    serial = int(time.time() * 1000) % 100_000_000 + secrets.randbelow(1000)
    body: dict[str, Any] = {
        "court_case_no": f"({year})京0105民初{serial}号",
        "kind": "entrusted",
        "applicant": {
            "name": "张三",
            "kind": "natural_person",
            "phone": "13800138000",
            "id_number": "11010519491231002X",
        },
        "respondent": {"name": "示例银行", "org_code": respondent_code},
        "claims": "请求被申请人退还多收取的信用卡分期手续费。",
        "amount": "12000.00",
        "business_type": "bank_card",
        "materials": [],
    }
    if organization:
        body["organization"] = organization
    return body


def _key_file(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a JSON object")
    return data


def _pick(args: argparse.Namespace, keys: dict[str, Any], name: str, *, required: bool) -> str:
    value = getattr(args, name, None) or keys.get(name) or ""
    if required and not value:
        option = "--" + name.replace("_", "-")
        raise SystemExit(f"{option} is required (or give it in --key-file)")
    return str(value)


def _client(args: argparse.Namespace) -> CourtClient:
    keys = _key_file(args.key_file)
    return CourtClient(
        _pick(args, keys, "base_url", required=True),
        _pick(args, keys, "key_id", required=True),
        _pick(args, keys, "secret", required=True),
    )


def _print(status: int, payload: Any) -> int:
    print(status)
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    return 0 if 200 <= status < 300 else 1


def _sim_call(sim_url: str, method: str, path: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the simulator's URL the operator gave
        sim_url.rstrip("/") + path, data=b"" if method == "POST" else None, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        status, raw = int(exc.code), exc.read()
    try:
        payload: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        payload = raw.decode("utf-8", "replace")
    return _print(status, payload)


def cmd_serve(args: argparse.Namespace) -> int:
    keys = _key_file(args.key_file)
    sim = CourtSimulator(
        callback_key_id=_pick(args, keys, "callback_key_id", required=True),
        callback_secret=_pick(args, keys, "callback_secret", required=True),
        port=args.port,
        materials_dir=args.materials,
        events_file=args.events,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"court simulator on {sim.url} (callbacks: {sim.callback_url})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        sim.serve_forever()
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    if args.file:
        body = json.loads(Path(args.file).read_text(encoding="utf-8"))
    else:
        body = demo_body(respondent_code=args.respondent_code, organization=args.organization)
    return _print(*_client(args).push_entrustment(body))


def cmd_get(args: argparse.Namespace) -> int:
    return _print(*_client(args).get_entrustment(args.id))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.court_sim", description="A stand-in for a court's system."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="receive callbacks and serve materials")
    serve.add_argument("--port", type=int, default=0, help="default: a free port")
    serve.add_argument("--callback-key-id")
    serve.add_argument("--callback-secret")
    serve.add_argument("--key-file")
    serve.add_argument("--materials", help="directory of materials served under /materials/")
    serve.add_argument("--events", help="append each callback received to this file (JSON lines)")
    serve.set_defaults(run=cmd_serve)

    def api_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--base-url", help="Accord, e.g. http://127.0.0.1:8000")
        command.add_argument("--key-id")
        command.add_argument("--secret")
        command.add_argument("--key-file", help="JSON as `accord demo-court-key --json` prints")

    push = commands.add_parser("push", help="push an entrustment to Accord")
    api_options(push)
    body = push.add_mutually_exclusive_group(required=True)
    body.add_argument("--file", help="the entrustment's JSON body")
    body.add_argument("--demo", action="store_true", help="a sample entrustment")
    push.add_argument("--respondent-code", default=DEMO_RESPONDENT)
    push.add_argument("--organization", default="", help="the mediation organization's code")
    push.set_defaults(run=cmd_push)

    get = commands.add_parser("get", help="an entrustment's status")
    get.add_argument("id")
    api_options(get)
    get.set_defaults(run=cmd_get)

    for name, method, path, text in (
        ("events", "GET", "/_sim/events", "what a running simulator received"),
        ("down", "POST", "/_sim/down", "make a running simulator refuse callbacks (503)"),
        ("up", "POST", "/_sim/up", "make it take callbacks again"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--sim-url", required=True, help="e.g. http://127.0.0.1:8765")
        command.set_defaults(
            run=lambda args, method=method, path=path: _sim_call(args.sim_url, method, path)
        )

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
