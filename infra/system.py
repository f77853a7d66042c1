"""System packages (Debian/Ubuntu): find the binaries we need, install what is missing.

As root we run apt-get ourselves; as anyone else we print the exact command and stop, because
a half-working stack that fails later is harder to understand than one clear instruction.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from infra.procs import fail, log

_apt_updated = False


def is_root() -> bool:
    return os.geteuid() == 0


def apt_install(packages: Iterable[str], *, why: str) -> None:
    """Install Debian packages, or stop with the command a root user should run."""
    wanted = sorted(set(packages))
    if not wanted:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *wanted]
    if not is_root() or shutil.which("apt-get") is None:
        prefix = "" if is_root() else "sudo "
        raise fail(
            f"Missing system packages ({why}). Install them, then run this again:\n"
            f"  {prefix}apt-get update && {prefix}{' '.join(command)}",
            code=2,
        )
    global _apt_updated
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        log("$ apt-get update")
        subprocess.run(["apt-get", "update"], env=env, check=True, stdin=subprocess.DEVNULL)
        _apt_updated = True
    log(f"$ {' '.join(command)}  # {why}")
    subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL)


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or _existing("/usr/bin/redis-server")


def ensure_redis_server() -> str:
    binary = redis_server_binary()
    if binary is None:
        apt_install(["redis-server"], why="Redis for the broker, channel layer and cache")
        binary = redis_server_binary()
    if binary is None:
        raise fail("redis-server is still missing after installing the redis-server package")
    return binary


def postgres_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl, newest major version first."""
    found = shutil.which("initdb")
    if found and (Path(found).resolve().parent / "pg_ctl").exists():
        return Path(found).resolve().parent
    # Debian keeps the server binaries off PATH, one directory per major version.
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: _version_key(p.parent.parent.name),
        reverse=True,
    )
    for initdb in candidates:
        if (initdb.parent / "pg_ctl").exists():
            return initdb.parent
    return None


def ensure_postgres_bindir() -> Path:
    bindir = postgres_bindir()
    if bindir is None:
        apt_install(["postgresql"], why="PostgreSQL for the test suite")
        bindir = postgres_bindir()
    if bindir is None:
        raise fail("initdb is still missing after installing the postgresql package")
    return bindir


def ensure_system_user(name: str) -> None:
    """PostgreSQL refuses to run as root: when we are root we run it as this user."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        log(f"$ useradd --system --no-create-home --shell /usr/sbin/nologin {name}")
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
        )


# Binaries the test suite drives, and the Debian package of each: headless Chromium for the
# browser tests (with CJK fonts, or zh-Hans pages render as boxes), ffmpeg/ffprobe to check
# recordings decode.
TEST_TOOLS = {
    "chromium": "chromium",
    "ffmpeg": "ffmpeg",
    "ffprobe": "ffmpeg",
    "fc-list": "fontconfig",
    # Seals and timestamps (tests/trust, tests/packages): the text of PDFs, openssl ts as a
    # court would run it, a software PKCS#11 token.
    "pdftotext": "poppler-utils",
    "openssl": "openssl",
    "softhsm2-util": "softhsm2",
}
CJK_FONT_PACKAGE = "fonts-noto-cjk"
# WeasyPrint renders the documents with Pango (through cffi) and the Noto CJK fonts.
DOCUMENT_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "fontconfig", CJK_FONT_PACKAGE)


def ensure_document_tools() -> None:
    """Install what rendering documents to PDF needs (`make up` and `make test` both call it)."""
    if not shutil.which("dpkg-query"):
        return
    missing = [package for package in DOCUMENT_PACKAGES if not _installed(package)]
    apt_install(missing, why="Pango and CJK fonts to render documents to PDF")


def ensure_test_tools() -> None:
    """Install what the tests drive but Python cannot bring (one apt-get for all of it)."""
    missing = {package for binary, package in TEST_TOOLS.items() if shutil.which(binary) is None}
    if shutil.which("dpkg-query") and not _installed(CJK_FONT_PACKAGE):
        missing.add(CJK_FONT_PACKAGE)
    apt_install(missing, why="Chromium, CJK fonts, ffmpeg, poppler, openssl, SoftHSM for the tests")


def _installed(package: str) -> bool:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return done.returncode == 0 and done.stdout.endswith("installed")


def _existing(path: str) -> str | None:
    return path if Path(path).exists() else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)
