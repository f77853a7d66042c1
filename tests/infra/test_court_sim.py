"""The court simulator (infra/court_sim, docs/court-simulator.md) against Accord's own scheme:
its signature is Accord's, it accepts what Accord signs and refuses what is tampered with,
replayed or signed under another secret, and its CLI talks to a running simulator."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from accord.courts import signing as accord_signing
from infra import REPO_DIR
from infra.court_sim import signing as sim_signing
from infra.court_sim.client import CourtClient
from infra.court_sim.server import CourtSimulator

KEY_ID = "cb_sim_test"
SECRET = "callback-secret-0123456789"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[CourtSimulator]:
    with CourtSimulator(
        callback_key_id=KEY_ID,
        callback_secret=SECRET,
        materials_dir=tmp_path / "materials",
        events_file=tmp_path / "events.jsonl",
    ) as running:
        yield running


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def _open(url: str | urllib.request.Request) -> Any:
    return urllib.request.urlopen(url, timeout=10)  # noqa: S310 - the simulator on loopback


def _event(**overrides: Any) -> bytes:
    body = {
        "event_id": "4b7f0a58-2b1f-4f55-9d51-2e8a4c8b0c11",
        "event": "entrustment.accepted",
        "occurred_at": "2026-12-07T10:00:00+08:00",
        "entrustment_id": "0f5c3d0e-8f7a-4a57-9a43-5d5a2b1f4a10",
        "court_case_no": "(2026)京0105民初12345号",
        "data": {"case_no": "FMC-2026-0001"},
    }
    body.update(overrides)
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _accord_signed(body: bytes, *, secret: str = SECRET, path: str = "/callbacks") -> dict:
    return accord_signing.signed_headers(
        key_id=KEY_ID, secret=secret, method="POST", path=path, body=body
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/court/v1/entrustments", b"{}"),
        ("get", "/api/court/v1/confirmations?status=filed&page=2", b""),
        ("POST", "/callbacks", _event()),
        ("PUT", "/a%20b/%E6%B3%95", "案号（2026）".encode()),
    ],
)
def test_the_simulators_signature_is_accords(method: str, path: str, body: bytes) -> None:
    for secret in ("s", "秘密-secret", "x" * 64):
        ts, nonce = "1796601600", "nonce_0123456789-ABCDEF"
        assert sim_signing.signature(secret, method, path, ts, nonce, body) == (
            accord_signing.signature(secret, method, path, ts, nonce, body)
        )
    # And the headers it signs verify under Accord's function (and not under another secret).
    headers = sim_signing.sign_headers(key_id="k", secret="s", method=method, path=path, body=body)
    assert accord_signing.NONCE_RE.fullmatch(headers[sim_signing.HEADER_NONCE])
    args = (method, path, headers["X-Accord-Timestamp"], headers["X-Accord-Nonce"], body)
    assert headers["X-Accord-Signature"] == accord_signing.signature("s", *args)
    assert headers["X-Accord-Signature"] != accord_signing.signature("t", *args)


def test_a_callback_accord_signs_is_recorded_once_with_its_deliveries(
    sim: CourtSimulator, tmp_path: Path
) -> None:
    body = _event()
    assert _post(sim.callback_url, body, _accord_signed(body)) == (
        200,
        {"received": "4b7f0a58-2b1f-4f55-9d51-2e8a4c8b0c11", "duplicate": False},
    )
    # The same event delivered again (a fresh signature, as a retry would have).
    status, answer = _post(sim.callback_url, body, _accord_signed(body))
    assert status == 200 and answer["duplicate"] is True
    assert sim.events == [json.loads(body)]
    assert sim.deliveries("4b7f0a58-2b1f-4f55-9d51-2e8a4c8b0c11") == 2
    assert sim.refused == []
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["duplicate"] for line in lines] == [False, True]
    assert json.loads(lines[0])["body"]["court_case_no"] == "(2026)京0105民初12345号"


def test_tampered_wrongly_signed_replayed_or_stale_callbacks_are_refused(
    sim: CourtSimulator,
) -> None:
    body = _event()
    tampered = _event(data={"case_no": "OTHER"})
    refusals = {
        "tampered": _post(sim.callback_url, tampered, _accord_signed(body)),
        "wrong_secret": _post(sim.callback_url, body, _accord_signed(body, secret="wrong")),
        "other_path": _post(sim.callback_url, body, _accord_signed(body, path="/elsewhere")),
        "stale": _post(
            sim.callback_url,
            body,
            accord_signing.signed_headers(
                key_id=KEY_ID,
                secret=SECRET,
                method="POST",
                path="/callbacks",
                body=body,
                now=time.time() - 301,
            ),
        ),
        "unknown_key": _post(
            sim.callback_url,
            body,
            accord_signing.signed_headers(
                key_id="cb_other", secret=SECRET, method="POST", path="/callbacks", body=body
            ),
        ),
    }
    codes = {name: (status, answer["error"]["code"]) for name, (status, answer) in refusals.items()}
    assert codes == {
        "tampered": (401, "signature_invalid"),
        "wrong_secret": (401, "signature_invalid"),
        "other_path": (401, "signature_invalid"),
        "stale": (401, "timestamp_skew"),
        "unknown_key": (401, "key_unknown"),
    }
    assert sim.events == []
    # A replay: the very same signed request twice.
    headers = _accord_signed(body)
    assert _post(sim.callback_url, body, headers)[0] == 200
    status, answer = _post(sim.callback_url, body, headers)
    assert (status, answer["error"]["code"]) == (401, "nonce_reused")
    assert sim.deliveries("4b7f0a58-2b1f-4f55-9d51-2e8a4c8b0c11") == 1
    assert [r["code"] for r in sim.refused][-1] == "nonce_reused"


def test_down_answers_503_until_up_in_process_and_over_http(sim: CourtSimulator) -> None:
    body = _event()
    sim.down()
    status, answer = _post(sim.callback_url, body, _accord_signed(body))
    assert (status, answer["error"]["code"]) == (503, "unavailable")
    sim.up()
    assert _post(sim.callback_url, body, _accord_signed(body))[0] == 200
    assert _post(sim.url + "/_sim/down", b"", {}) == (200, {"down": True})
    assert sim.is_down
    assert _post(sim.callback_url, body, _accord_signed(body))[0] == 503
    assert _post(sim.url + "/_sim/up", b"", {}) == (200, {"down": False})
    assert _post(sim.callback_url, body, _accord_signed(body))[0] == 200
    assert sim.deliveries("4b7f0a58-2b1f-4f55-9d51-2e8a4c8b0c11") == 2
    assert [r["code"] for r in sim.refused] == ["down", "down"]


def test_materials_are_served_byte_for_byte(sim: CourtSimulator) -> None:
    data = bytes(range(256)) * 1000 + "起诉状".encode()
    url = sim.add_material("起诉状 1.pdf", data)
    with _open(url) as response:
        served = response.read()
        assert response.headers.get_content_type() == "application/pdf"
    assert hashlib.sha256(served).hexdigest() == hashlib.sha256(data).hexdigest()
    # Added over HTTP, as a script would.
    request = urllib.request.Request(  # noqa: S310 - the simulator on loopback
        sim.url + "/_sim/materials/evidence.bin", data=b"\x00\x01\xff", method="PUT"
    )
    with _open(request) as response:
        assert response.status == 201
    with _open(sim.material_url("evidence.bin")) as response:
        assert response.read() == b"\x00\x01\xff"
    for missing in ("nothing.pdf", "..%2Fevents.jsonl", "%2E%2E"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            _open(sim.url + "/materials/" + missing)
        assert refused.value.code == 404


# --- The client and the CLI ------------------------------------------------------------------


class _StubCourtAPI(BaseHTTPRequestHandler):
    """Stands in for Accord's court API: checks the signature with Accord's function."""

    secret = "court-api-secret"
    seen: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, payload: Any) -> None:
        raw = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        h = self.headers
        expected = accord_signing.signature(
            self.secret,
            self.command,
            self.path,
            h["X-Accord-Timestamp"] or "",
            h["X-Accord-Nonce"] or "",
            body,
        )
        if h["X-Accord-Signature"] != expected:
            self._answer(401, {"error": {"code": "signature_invalid", "message": "no"}})
            return
        self.seen.append({"method": self.command, "path": self.path, "body": body})
        if self.path.endswith("/missing"):
            self._answer(404, {"error": {"code": "not_found", "message": "none"}})
        else:
            self._answer(201 if self.command == "POST" else 200, {"entrustment_id": "e-1"})

    do_GET = do_POST = _handle


@pytest.fixture
def stub_api() -> Iterator[str]:
    _StubCourtAPI.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StubCourtAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_client_signs_every_method_and_returns_errors_without_raising(stub_api: str) -> None:
    client = CourtClient(stub_api, "ck_x", _StubCourtAPI.secret)
    assert client.push_entrustment({"court_case_no": "案号"}) == (201, {"entrustment_id": "e-1"})
    assert client.list_confirmations("filed")[0] == 200
    assert client.record_outcome("c1", outcome="confirmed", ruling_no="R1", decided_on="2026-12-01")
    assert client.get_entrustment("missing") == (
        404,
        {"error": {"code": "not_found", "message": "none"}},
    )
    wrong = CourtClient(stub_api + "/api/court/v1/", "ck_x", "wrong secret")
    status, answer = wrong.get_entrustment("e-1")
    assert (status, answer["error"]["code"]) == (401, "signature_invalid")
    paths = [(s["method"], s["path"]) for s in _StubCourtAPI.seen]
    assert paths == [
        ("POST", "/api/court/v1/entrustments"),
        ("GET", "/api/court/v1/confirmations?status=filed"),
        ("POST", "/api/court/v1/confirmations/c1/outcome"),
        ("GET", "/api/court/v1/entrustments/missing"),
    ]
    assert json.loads(_StubCourtAPI.seen[2]["body"]) == {
        "outcome": "confirmed",
        "ruling_no": "R1",
        "decided_on": "2026-12-01",
    }


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.court_sim", *args],
        cwd=REPO_DIR,
        env={**os.environ, "PYTHONPATH": str(REPO_DIR)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_push_a_file_and_a_demo_body_with_a_key_file(stub_api: str, tmp_path: Path) -> None:
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps({"court_case_no": "(2026)京0105民初1号"}), encoding="utf-8")
    pushed = _cli(
        "push", "--base-url", stub_api, "--key-id", "ck_x", "--secret", _StubCourtAPI.secret,
        "--file", str(body_file),
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.startswith("201\n")
    key_file = tmp_path / "key.json"
    key_file.write_text(
        json.dumps(
            {
                "key_id": "ck_x",
                "secret": _StubCourtAPI.secret,
                "base_url": stub_api,
                "callback_key_id": KEY_ID,
                "callback_secret": SECRET,
                "court": "CRT",
            }
        )
    )
    demo = _cli("push", "--key-file", str(key_file), "--demo", "--respondent-code", "BNKX")
    assert demo.returncode == 0, demo.stderr
    missing = _cli("get", "missing", "--key-file", str(key_file))
    assert missing.returncode == 1 and '"not_found"' in missing.stdout
    bodies = [json.loads(s["body"]) for s in _StubCourtAPI.seen if s["method"] == "POST"]
    assert bodies[0] == {"court_case_no": "(2026)京0105民初1号"}
    assert bodies[1]["respondent"]["org_code"] == "BNKX"
    assert bodies[1]["applicant"]["phone"] == "13800138000"
    assert bodies[1]["court_case_no"].endswith("号")


def test_cli_events_down_and_up_against_a_running_simulator(sim: CourtSimulator) -> None:
    body = _event()
    _post(sim.callback_url, body, _accord_signed(body))
    events = _cli("events", "--sim-url", sim.url)
    assert events.returncode == 0, events.stderr
    listed = json.loads(events.stdout.split("\n", 1)[1])
    assert [(e["body"]["event"], e["deliveries"]) for e in listed["events"]] == [
        ("entrustment.accepted", 1)
    ]
    assert _cli("down", "--sim-url", sim.url).returncode == 0
    assert sim.is_down
    assert _cli("up", "--sim-url", sim.url).returncode == 0
    assert not sim.is_down


@pytest.mark.django_db(transaction=True)
def test_the_client_and_the_cli_are_accepted_by_accords_court_api(
    live_server: Any, tmp_path: Path
) -> None:
    from accord.courts.models import CourtDocking, CourtKey, Entrustment
    from accord.orgs.models import OrgKind
    from infra.court_sim.__main__ import DEMO_RESPONDENT, demo_body
    from tests.cases.conftest import as_org
    from tests.factories import InstitutionFactory, MediationOrgFactory, OrganizationFactory

    court = as_org(OrganizationFactory(kind=OrgKind.COURT, code="CRTLIVE"))
    key = CourtKey.objects.create(court=court, key_id="ck_live", secret="live-court-secret")
    org = as_org(MediationOrgFactory(code="MLIVE"))
    InstitutionFactory(code=DEMO_RESPONDENT)
    CourtDocking.objects.create(court=court, default_organization=org)

    client = CourtClient(live_server.url, key.key_id, key.secret)
    status, pushed = client.push_entrustment(demo_body())
    assert status == 201, pushed
    status, read = client.get_entrustment(pushed["entrustment_id"])
    assert status == 200 and read["status"] == "pending" and read["organization"] == "MLIVE"
    status, missing = client.get_entrustment("00000000-0000-4000-8000-000000000000")
    assert (status, missing["error"]["code"]) == (404, "not_found")
    status, refused = CourtClient(live_server.url, key.key_id, "wrong").get_entrustment(
        pushed["entrustment_id"]
    )
    assert (status, refused["error"]["code"]) == (401, "signature_invalid")

    key_file = tmp_path / "key.json"
    key_file.write_text(
        json.dumps(
            {
                "key_id": key.key_id,
                "secret": key.secret,
                "base_url": live_server.url,
                "callback_key_id": KEY_ID,
                "callback_secret": SECRET,
                "court": "CRTLIVE",
            }
        )
    )
    demo = _cli("push", "--key-file", str(key_file), "--demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert demo.stdout.startswith("201\n")
    assert Entrustment.objects.filter(court=court).count() == 2


def test_cli_serve_runs_the_simulator_as_a_process(tmp_path: Path) -> None:
    materials = tmp_path / "materials"
    materials.mkdir()
    (materials / "claim.pdf").write_bytes(b"%PDF-1.7 claim")
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps({"callback_key_id": KEY_ID, "callback_secret": SECRET}))
    events_file = tmp_path / "events.jsonl"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "infra.court_sim", "serve", "--port", "0",
            "--key-file", str(key_file), "--materials", str(materials),
            "--events", str(events_file),
        ],
        cwd=REPO_DIR,
        env={**os.environ, "PYTHONPATH": str(REPO_DIR)},
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        url = banner.split(" on ", 1)[1].split(" ", 1)[0]
        with _open(url + "/materials/claim.pdf") as response:
            assert response.read() == b"%PDF-1.7 claim"
        body = _event()
        assert _post(url + "/callbacks", body, _accord_signed(body))[0] == 200
        assert _post(url + "/callbacks", body, _accord_signed(body, secret="x"))[0] == 401
    finally:
        process.terminate()
        process.wait(timeout=10)
    lines = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]
    assert [line["body"]["event_id"] for line in lines] == [json.loads(body)["event_id"]]
