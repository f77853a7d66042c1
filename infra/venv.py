"""The project's virtualenv (.venv), installed from the hash-pinned requirements.lock.

Run as `python3 -m infra.venv`. Installing is skipped when a stamp in .venv records the same
lock file, pyproject.toml and uv version, so `make up` and `make test` pay for it once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from infra import REPO_DIR, VENV_BIN, VENV_DIR
from infra.procs import fail, log
from infra.system import apt_install

UV_VERSION = "0.13.9"
PYTHON_VERSION = (3, 11)
STAMP = VENV_DIR / ".accord-installed"
LOCK_FILE = REPO_DIR / "requirements.lock"


def fingerprint() -> str:
    digest = hashlib.sha256(f"uv=={UV_VERSION}\n".encode())
    for path in (LOCK_FILE, REPO_DIR / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def python_version(python: str | Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [str(python), "-c", "import sys; print('%d %d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=True,
            stdin=subprocess.DEVNULL,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(out[0]), int(out[1])


def is_installed() -> bool:
    try:
        recorded = STAMP.read_text().strip()
    except OSError:
        return False
    return recorded == fingerprint() and python_version(VENV_BIN / "python") == PYTHON_VERSION


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    """Serialize installs: two `make` runs in one checkout must not sync .venv at once."""
    lock_dir = REPO_DIR / "var"
    lock_dir.mkdir(exist_ok=True)
    with open(lock_dir / ".venv.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_venv() -> None:
    if is_installed():
        return
    with _install_lock():
        if is_installed():  # another run finished it while we waited
            return
        if python_version(VENV_BIN / "python") != PYTHON_VERSION:
            if VENV_DIR.exists():
                log(f"{VENV_DIR} is not a Python {_dotted(PYTHON_VERSION)} virtualenv: recreating")
                shutil.rmtree(VENV_DIR)
            _create_venv()
        _check([str(VENV_BIN / "python"), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"])
        uv = str(VENV_BIN / "uv")
        python = ["--python", str(VENV_BIN / "python")]
        _check([uv, "pip", "sync", *python, str(LOCK_FILE)])
        # sync removes what the lock does not list, the project itself included: install it last.
        _check([uv, "pip", "install", *python, "-e", str(REPO_DIR), "--no-deps"])
        STAMP.write_text(fingerprint() + "\n")
        log(f"{VENV_DIR}: installed from {LOCK_FILE.name}")


def _create_venv() -> None:
    python = _find_python()
    if python is not None:
        if not _has_ensurepip(python):
            # Debian splits venv support out of the interpreter package.
            apt_install([f"python{_dotted(PYTHON_VERSION)}-venv"], why="python -m venv")
        _check([python, "-m", "venv", str(VENV_DIR)])
        return
    # No Python 3.11 on this machine (Ubuntu 22.04 and 24.04 ship others): let uv, installed
    # in a throwaway venv of whatever python3 there is, fetch a managed 3.11 for .venv.
    system_python = shutil.which("python3")
    if system_python is None:
        apt_install(["python3", "python3-venv"], why="Python to bootstrap the virtualenv")
        system_python = shutil.which("python3")
    if system_python is None or not _has_ensurepip(system_python):
        apt_install(["python3-venv"], why="python -m venv")
        system_python = system_python or "python3"
    with tempfile.TemporaryDirectory(prefix="accord-uv-") as tmp:
        _check([system_python, "-m", "venv", tmp])
        _check([f"{tmp}/bin/python", "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"])
        _check(
            [f"{tmp}/bin/uv", "venv", "--seed", "--python", _dotted(PYTHON_VERSION), str(VENV_DIR)]
        )


def _find_python() -> str | None:
    candidates = [sys.executable, shutil.which(f"python{_dotted(PYTHON_VERSION)}")]
    candidates.append(shutil.which("python3"))
    for candidate in candidates:
        if candidate and python_version(candidate) == PYTHON_VERSION:
            return candidate
    return None


def _has_ensurepip(python: str) -> bool:
    result = subprocess.run(
        [python, "-c", "import ensurepip, venv"],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return result.returncode == 0


def _check(argv: list[str]) -> None:
    log(f"$ {' '.join(argv)}")
    # The caller's virtualenv, if any, must not leak into uv's choice of interpreter.
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONHOME"}}
    result = subprocess.run(argv, cwd=REPO_DIR, env=env, check=False, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise fail(f"failed (exit {result.returncode}): {' '.join(argv)}")


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


if __name__ == "__main__":
    ensure_venv()
