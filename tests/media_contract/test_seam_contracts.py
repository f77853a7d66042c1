"""The seam's import-linter contracts (pyproject.toml): the tree keeps them, and a back-edge
injected into a copy of the tree breaks the build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
SEAM_CONTRACTS = ("seam-worker", "seam-web", "seam-contract")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def copy_tree(root: Path) -> Path:
    """The packages the contracts name, and pyproject.toml, under `root`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "locale", "templates", "static")
    for name in ("backend", "media_worker", "media_contract"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path: the editable install would otherwise find the
    # checkout's own packages.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "backend"), str(root)])}
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo"]
    for contract in contracts:
        args += ["--contract", contract]
    return subprocess.run(
        args, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def inject(path: Path, line: str) -> None:
    text = path.read_text()
    marker = "from __future__ import annotations\n"
    assert marker in text
    path.write_text(text.replace(marker, f"{marker}\n{line}  # noqa\n", 1))


def test_the_tree_keeps_the_seam_contracts(tmp_path):
    result = lint_imports(copy_tree(tmp_path), *SEAM_CONTRACTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("media_worker/sfu.py", "import accord.rooms.models", "seam-worker"),
        ("media_worker/registrar.py", "import django.conf", "seam-worker"),
        ("backend/accord/recordings/media.py", "import media_worker.webm", "seam-web"),
        ("backend/accord/rooms/consumers.py", "from media_worker import sfu", "seam-web"),
        ("media_contract/webm.py", "import media_worker.recorder", "seam-contract"),
        ("media_contract/registration.py", "import accord.recordings", "seam-contract"),
        ("media_contract/messages.py", "import django", "seam-contract"),
    ],
)
def test_a_back_edge_across_the_seam_breaks_the_build(tmp_path, module, line, contract):
    root = copy_tree(tmp_path)
    inject(root / module, line)
    result = lint_imports(root, contract)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert module.removeprefix("backend/").removesuffix(".py").replace("/", ".") in result.stdout
