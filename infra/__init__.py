"""Scripts that run Accord on one machine: the dev stack (`make up`) and the test harness.

Everything here uses the standard library only, because `make up` runs it with the system
Python before the project's virtualenv exists. It targets Python 3.10+ for the same reason.
"""

from __future__ import annotations

from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
VENV_DIR = REPO_DIR / ".venv"
VENV_BIN = VENV_DIR / "bin"
