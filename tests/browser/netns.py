"""One party behind its own network: a network namespace joined to the host by a veth pair,
with packet loss and outages made by nftables inside the namespace.

    with Namespace.create() as ns:        # acc-<hex>, 10.213.X.2 inside, 10.213.X.1 outside
        ns.set_loss(uplink=5)             # 5 % of the party's outgoing UDP dropped at random
        ns.set_outage(True)               # no UDP in or out at all
        ns.counters()                     # UDP packets that left / were dropped, per rule

Loss is made on the namespace side of the veth with a `netdev` table: its `egress` chain drops
at the device, after the socket's send succeeded, as a real network loses a datagram. (The
`inet` output/postrouting hooks would make the sender's `sendto` fail with EPERM: the sender
would learn about each loss, which no real network tells it.) The `ingress` chain drops what
arrives, for the outage. `tc netem` is used for delay and jitter only where the kernel has it
(`netem_available`); this machine's kernel does not.

`NamespaceForwarder` makes the host's web server reachable inside the namespace at the very
same address (http://127.0.0.1:PORT, so the same origin, cookies and secure context), and
`chromium_wrapper` writes an executable that runs Chromium inside the namespace, for
Playwright's `executable_path` (Playwright talks to it over inherited pipes, not the network).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from infra.procs import pid_alive
from tests.browser.chromium import CHROMIUM

CLONE_NEWNET = 0x40000000
NETNS_DIR = Path("/var/run/netns")
# Which test process made which namespace: a run that died without tearing down leaves its
# namespace behind; the next run removes those whose owner is gone.
OWNERS_DIR = Path("/run/accord-netns")
PREFIX = "acc-"
SUBNET = "10.213"
TABLE = "accord"


class NamespaceError(RuntimeError):
    pass


def _run(*argv: str, check: bool = True, input_text: str | None = None) -> str:
    done = subprocess.run(
        list(argv), capture_output=True, text=True, input=input_text, check=False, timeout=30
    )
    if check and done.returncode != 0:
        raise NamespaceError(
            f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip() or done.stdout}"
        )
    return done.stdout


def ensure_nft() -> str:
    """The `nft` binary, installing Debian's nftables package when it is missing (as infra
    installs the test tools: apt-get as root, else the command to run)."""
    found = shutil.which("nft") or (os.path.exists("/usr/sbin/nft") and "/usr/sbin/nft")
    if found:
        return str(found)
    from infra.system import apt_install

    apt_install(["nftables"], why="nftables for the packet-loss browser tests")
    found = shutil.which("nft") or (os.path.exists("/usr/sbin/nft") and "/usr/sbin/nft")
    if not found:
        raise NamespaceError("nft is still missing after installing the nftables package")
    return str(found)


def unavailable_reason() -> str | None:
    """Why this machine cannot give a party its own lossy network, or None when it can. Tries
    the real thing (a namespace, a veth pair, an nftables egress table) and removes it."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add); run the tests as root"
    if shutil.which("ip") is None:
        return "iproute2 (`ip`) is missing"
    try:
        ensure_nft()
    except (NamespaceError, SystemExit, subprocess.SubprocessError, OSError) as exc:
        return f"nftables is not available ({type(exc).__name__}: {exc})"
    try:
        with Namespace.create() as ns:
            ns.set_loss(uplink=1)
            ns.set_loss(uplink=0)
    except (NamespaceError, OSError) as exc:
        return f"this kernel or user cannot make a lossy network namespace: {exc}"
    return None


def remove_orphans() -> list[str]:
    """Remove the namespaces (and veths) of test processes that died without tearing down."""
    removed: list[str] = []
    if not OWNERS_DIR.is_dir():
        return removed
    for owner in OWNERS_DIR.glob(f"{PREFIX}*"):
        try:
            pid = int(owner.read_text().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid and pid_alive(pid):
            continue
        _teardown(owner.name)
        owner.unlink(missing_ok=True)
        removed.append(owner.name)
    return removed


def _used_octets() -> set[int]:
    used = set()
    for line in _run("ip", "-4", "-o", "addr", "show").splitlines():
        for word in line.split():
            if word.startswith(f"{SUBNET}."):
                used.add(int(word.split(".")[2]))
    return used


def _kill_inside(name: str) -> None:
    """Processes still running in the namespace (ours: its name is unique to this run)."""
    pids = _run("ip", "netns", "pids", name, check=False).split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)


def _teardown(name: str) -> None:
    _kill_inside(name)
    _run("ip", "netns", "del", name, check=False)
    # Deleting the namespace destroys its end of the pair and with it ours; make sure.
    _run("ip", "link", "del", f"{name}-h", check=False)


@dataclass
class Namespace:
    name: str
    octet: int
    loss: int = 0
    outage: bool = False
    delay_ms: int = 0
    jitter_ms: int = 0
    _netem: bool | None = field(default=None, repr=False)

    @property
    def host_if(self) -> str:
        return f"{self.name}-h"

    @property
    def ns_if(self) -> str:
        return f"{self.name}-n"

    @property
    def host_ip(self) -> str:
        return f"{SUBNET}.{self.octet}.1"

    @property
    def ns_ip(self) -> str:
        return f"{SUBNET}.{self.octet}.2"

    @classmethod
    @contextlib.contextmanager
    def create(cls) -> Iterator[Namespace]:
        """A new namespace with its veth pair, loopback up and a default route through the
        host; torn down on leaving, also on failure (and by the next run if this one dies)."""
        ensure_nft()
        remove_orphans()
        name = f"{PREFIX}{secrets.token_hex(3)}"
        free = sorted(set(range(1, 255)) - _used_octets())
        if not free:
            raise NamespaceError(f"no free {SUBNET}.X.0/30 subnet")
        ns = cls(name=name, octet=secrets.choice(free))
        OWNERS_DIR.mkdir(parents=True, exist_ok=True)
        (OWNERS_DIR / name).write_text(str(os.getpid()))
        try:
            _run("ip", "netns", "add", name)
            _run("ip", "link", "add", ns.host_if, "type", "veth", "peer", "name", ns.ns_if)
            _run("ip", "link", "set", ns.ns_if, "netns", name)
            _run("ip", "addr", "add", f"{ns.host_ip}/30", "dev", ns.host_if)
            _run("ip", "link", "set", ns.host_if, "up")
            ns.ip("addr", "add", f"{ns.ns_ip}/30", "dev", ns.ns_if)
            ns.ip("link", "set", ns.ns_if, "up")
            ns.ip("link", "set", "lo", "up")
            ns.ip("route", "add", "default", "via", ns.host_ip)
            ns.apply()
            yield ns
        finally:
            _teardown(name)
            (OWNERS_DIR / name).unlink(missing_ok=True)

    def ip(self, *args: str) -> str:
        return _run("ip", "-n", self.name, *args)

    def exec(self, *argv: str, check: bool = True, input_text: str | None = None) -> str:
        return _run("ip", "netns", "exec", self.name, *argv, check=check, input_text=input_text)

    # --- Loss and outage (nftables) --------------------------------------------------------

    def ruleset(self) -> str:
        """The namespace's whole table for the current settings, replaced atomically."""
        egress = ['meta l4proto udp counter comment "udp-out"']
        ingress = ['meta l4proto udp counter comment "udp-in"']
        if self.outage:
            egress.append('meta l4proto udp counter drop comment "outage-out"')
            ingress.append('meta l4proto udp counter drop comment "outage-in"')
        elif self.loss > 0:
            egress.append(
                f"meta l4proto udp numgen random mod 100 < {self.loss} counter drop "
                'comment "loss-out"'
            )

        def chain(hook: str, rules: list[str]) -> str:
            body = "\n".join(f"    {rule}" for rule in rules)
            return (
                f'  chain {hook} {{\n    type filter hook {hook} device "{self.ns_if}" '
                f"priority 0; policy accept;\n{body}\n  }}\n"
            )

        return (
            f"table netdev {TABLE}\ndelete table netdev {TABLE}\n"
            f"table netdev {TABLE} {{\n{chain('egress', egress)}{chain('ingress', ingress)}}}\n"
        )

    def apply(self) -> None:
        self.exec("nft", "-f", "-", input_text=self.ruleset())

    def set_loss(self, uplink: int) -> None:
        """Drop `uplink` % of the party's outgoing UDP (its media towards the worker), at random
        per packet. Counters restart."""
        if not 0 <= uplink <= 100:
            raise ValueError(uplink)
        self.loss = uplink
        self.apply()

    def set_outage(self, on: bool) -> None:
        """No UDP in either direction while on (TCP, the page's signaling, still passes)."""
        self.outage = on
        self.apply()

    def counters(self) -> dict[str, int]:
        """Packets counted by each rule since the last change: `udp-out`, `udp-in`, and the
        drops (`loss-out`, `outage-out`, `outage-in`)."""
        data = json.loads(self.exec("nft", "-j", "list", "table", "netdev", TABLE))
        out: dict[str, int] = {}
        for item in data.get("nftables", []):
            rule = item.get("rule")
            if not rule or "comment" not in rule:
                continue
            for expr in rule.get("expr", []):
                if "counter" in expr:
                    out[rule["comment"]] = int(expr["counter"]["packets"])
        return out

    # --- Delay and jitter (netem, where the kernel has it) ---------------------------------

    def netem_available(self) -> bool:
        if self._netem is None:
            done = subprocess.run(
                ["ip", "netns", "exec", self.name, "tc", "qdisc", "add", "dev", self.ns_if,
                 "root", "netem", "delay", "0ms"],
                capture_output=True, text=True, check=False, timeout=30,
            )  # fmt: skip
            self._netem = done.returncode == 0
            if self._netem:
                self.exec("tc", "qdisc", "del", "dev", self.ns_if, "root", check=False)
        return self._netem

    def set_delay(self, delay_ms: int, jitter_ms: int = 0) -> bool:
        """Delay (and jitter) the party's outgoing packets with netem; False where the kernel
        has no netem (nothing changes then)."""
        if not self.netem_available():
            return False
        args = ["delay", f"{delay_ms}ms"] + ([f"{jitter_ms}ms"] if jitter_ms else [])
        self.exec("tc", "qdisc", "replace", "dev", self.ns_if, "root", "netem", *args)
        self.delay_ms, self.jitter_ms = delay_ms, jitter_ms
        return True


# --- The web, at the same address inside the namespace ----------------------------------------


_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"setns: {os.strerror(code)}")


def listen_inside(ns_name: str, port: int, host: str = "127.0.0.1") -> socket.socket:
    """A TCP socket listening on host:port inside the namespace. A socket belongs to the
    network namespace it was made in, whichever thread uses it later; so a short-lived thread
    enters the namespace (setns moves only the calling thread), makes the socket and returns
    to the host's namespace."""
    result: list[socket.socket | BaseException] = []

    def inside() -> None:
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(str(NETNS_DIR / ns_name), os.O_RDONLY)
        try:
            _setns(target)
            try:
                result.append(socket.create_server((host, port), backlog=64))
            except BaseException as exc:
                result.append(exc)
            finally:
                _setns(home)
        except BaseException as exc:
            result.append(exc)
        finally:
            os.close(target)
            os.close(home)

    thread = threading.Thread(target=inside, name=f"setns-{ns_name}")
    thread.start()
    thread.join()
    got = result[0] if result else NamespaceError("setns thread returned nothing")
    if isinstance(got, BaseException):
        raise got
    return got


class NamespaceForwarder:
    """Listens on 127.0.0.1:`port` inside the namespace and pumps every connection to
    127.0.0.1:`port` of the host: the namespaced browser opens the very URLs the others do.
    Only TCP (pages, the room's WebSocket) goes this way; the media stays on the veth."""

    def __init__(self, ns_name: str, port: int) -> None:
        self.port = port
        self.listener = listen_inside(ns_name, port)
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True, name=f"fwd-{ns_name}").start()

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.open.update((client, upstream))
                self.connections += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._drop(s)

    def _drop(self, s: socket.socket) -> None:
        with self.lock:
            self.open.discard(s)
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()

    def close(self) -> None:
        self.closing.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            victims = list(self.open)
        for s in victims:
            self._drop(s)


def chromium_wrapper(ns_name: str, directory: Path) -> Path:
    """An executable that runs Chromium inside the namespace with the arguments it is given
    (`ip netns exec` execs in place: Playwright's pipes on fds 3 and 4 are inherited)."""
    path = directory / f"chromium-{ns_name}"
    path.write_text(f'#!/bin/sh\nexec ip netns exec {ns_name} {CHROMIUM} "$@"\n')
    path.chmod(0o755)
    return path


def wait_port_inside(ns: Namespace, port: int, timeout: float = 10) -> None:
    """Until something answers on 127.0.0.1:port inside the namespace."""
    deadline = time.monotonic() + timeout
    probe = (
        "import socket,sys\n"
        f"s=socket.create_connection(('127.0.0.1',{port}),timeout=2)\n"
        "s.close()\n"
    )
    while True:
        done = subprocess.run(
            ["ip", "netns", "exec", ns.name, "python3", "-c", probe],
            capture_output=True,
            check=False,
            timeout=30,
        )
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise NamespaceError(
                f"nothing answers on 127.0.0.1:{port} inside {ns.name}: {done.stderr!r}"
            )
        time.sleep(0.2)
