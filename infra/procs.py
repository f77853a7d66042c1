"""Ports, waiting, and background processes tracked by pid files.

A process started here runs in its own session (so its process group id is its pid and a
Ctrl-C in the terminal that ran `make` does not reach it), writes to its own log, and is
recorded in a pid file. Stopping goes through the pid file only, after checking that the pid
still belongs to the process we started: pids are reused, and `make down` must never signal a
stranger.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"


def log(message: str) -> None:
    print(message, flush=True)


def fail(message: str, code: int = 1) -> SystemExit:
    """Print to stderr and return an exception to raise (so mypy sees the flow end)."""
    print(message, file=sys.stderr, flush=True)
    return SystemExit(code)


# --- Ports ----------------------------------------------------------------


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when nothing listens on host:port and we could bind it now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return not port_answers(port, host)


def port_answers(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_ports(count: int, *, avoid: Iterable[int] = (), host: str = LOOPBACK) -> list[int]:
    """Distinct ports that the kernel just handed out as free.

    All sockets stay bound until every port is picked, so the same port is never returned
    twice. Another program can still take one before our service binds it; callers start
    services right away and a clash shows up as a failed start, not a silent share.
    """
    avoided = set(avoid)
    sockets: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
            # SeaweedFS derives nothing from our ports, but some tools add 10000 to a port:
            # keep every port low enough that such a neighbour is still a valid port.
            if port in avoided or port > 55000:
                continue
            avoided.add(port)
            ports.append(port)
    finally:
        for sock in sockets:
            sock.close()
    return ports


def free_port(*, avoid: Iterable[int] = ()) -> int:
    return free_ports(1, avoid=avoid)[0]


def preferred_port(*candidates: int | None, avoid: Iterable[int] = ()) -> int:
    """The first free candidate (None and 0 are skipped), else any free port."""
    avoided = set(avoid)
    for port in candidates:
        if port and port not in avoided and port_is_free(port):
            return port
    return free_port(avoid=avoided)


def redis_answers(port: int, host: str = LOOPBACK, timeout: float = 1.0) -> bool:
    """True when a Redis that needs no password answers PING on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def wait_until(
    predicate: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    interval: float = 0.25,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Poll until predicate() is true; raise TimeoutError naming `what` otherwise.

    `alive` lets the caller give up early when the process it waits for has already died.
    """
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if alive is not None and not alive():
            raise RuntimeError(f"{what}: the process exited")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout:.0f}s")
        time.sleep(interval)


# --- Processes and pid files ---------------------------------------------


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def process_start_time(pid: int) -> float | None:
    """Wall-clock start time of a process from /proc, or None where /proc is missing."""
    boot = _boot_time()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    if boot is None:
        return None
    # The command name (field 2) may contain spaces; fields after it are space-separated.
    fields = stat.rsplit(")", 1)[1].split()
    start_ticks = int(fields[19])
    return boot + start_ticks / os.sysconf("SC_CLK_TCK")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state != "Z"


def read_pidfile(path: Path) -> int | None:
    """The pid recorded in path if that process is still the one we started, else None.

    The pid file is written right after the process starts, so a live process with the same
    pid that started long before the file was written (or after it) is someone else.
    """
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if pid <= 1 or not pid_alive(pid):
        return None
    started = process_start_time(pid)
    if started is not None:
        written = path.stat().st_mtime
        # Clock ticks make the start time coarse; 30 s covers a slow fork on a busy machine.
        if not (written - 30 <= started <= written + 2):
            return None
    return pid


def as_user(user: str | None) -> dict[str, Any]:
    """Popen arguments that drop to a system user with its own group (PostgreSQL's initdb
    refuses to run as root)."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def start_process(
    name: str,
    argv: list[str],
    *,
    env: Mapping[str, str],
    pid_dir: Path,
    log_dir: Path,
    cwd: Path,
    user: str | None = None,
) -> int:
    """Start argv in the background with its own session, log and pid file; return its pid."""
    pid_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    with open(log_path, "ab") as log_file:
        log_file.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {argv}\n".encode())
        log_file.flush()
        process = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **as_user(user),
        )
    (pid_dir / f"{name}.pid").write_text(f"{process.pid}\n")
    return process.pid


def stop_pidfile(
    path: Path, *, timeout: float = 15.0, sig: int = signal.SIGTERM, group: bool = True
) -> bool:
    """Stop the process (group) recorded in path, escalating to SIGKILL; remove the file.

    Returns True when a live process was stopped. A stale pid file is just removed.
    """
    pid = read_pidfile(path)
    if pid is not None:
        stop_pid(pid, timeout=timeout, sig=sig, group=group)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return pid is not None


def stop_pid(
    pid: int, *, timeout: float = 15.0, sig: int = signal.SIGTERM, group: bool = True
) -> None:
    """Signal a process we started with its own session, escalating to SIGKILL.

    group=False sends the first signal to the leader only, for servers such as PostgreSQL
    whose children must hear about shutdown from their parent, not from us.
    """
    if group:
        _signal_group(pid, sig)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not pid_alive(pid):
            break
        time.sleep(0.1)
    else:
        _signal_group(pid, signal.SIGKILL)
    # Children of the leader (a Celery worker's pool) may outlive it for a moment.
    for _ in range(50):
        _reap(pid)
        if not _group_alive(pid):
            return
        time.sleep(0.1)
    _signal_group(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> None:
    """Collect the exit status when pid is our own child (the test harness's services):
    an unreaped zombie still counts as a member of its process group."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:
        # The group is gone and the id reused by someone else's process: leave it be.
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def pids_with_env(name: str, value: str) -> list[int]:
    """Processes whose environment holds name=value (readable ones: ours, or all as root).

    Every process a test run starts inherits the run's id in its environment, so this finds
    what a test started and could not stop (pytest killed mid-test), wherever it was started.
    """
    needle = f"{name}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            variables = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if needle in variables:
            found.append(int(entry.name))
    return found


def stop_tagged(name: str, value: str, *, timeout: float = 10.0) -> list[int]:
    """SIGTERM every process tagged name=value, SIGKILL what is left after timeout."""
    pids = pids_with_env(name, value)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in pids:
            _reap(pid)
        if not any(pid_alive(pid) for pid in pids):
            return pids
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
    return pids


def tail(path: Path, lines: int = 20) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return "\n".join(content[-lines:])


def run(
    argv: list[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    quiet: bool = False,
    user: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; on failure raise with its output."""
    if not quiet:
        log(f"$ {' '.join(argv)}")
    result = subprocess.run(
        argv,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        **as_user(user),
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {result.returncode}\n{result.stdout}\n{result.stderr}".strip()
        )
    return result
