"""The layer contracts of pyproject.toml hold on the tree, and a back-edge breaks the build.

``lint-imports`` (run by ``make lint``) reads the contracts; here it runs on the real tree, then
on a copy of backend/ with back-edges injected: one at module level, one inside a function (a
function-level import does not dodge the contract). See docs/architecture.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
LAYERS = "Apps under backend/accord/ import only from the layers below them"


def lint_imports(cwd: Path, backend: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(backend)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_backend(target: Path) -> Path:
    """backend/accord and backend/config, Python files only (enough to build the graph)."""
    backend = target / "backend"
    for package in ("accord", "config"):
        shutil.copytree(
            ROOT / "backend" / package,
            backend / package,
            ignore=lambda _dir, names: [
                name
                for name in names
                if not name.endswith(".py") and not (Path(_dir) / name).is_dir()
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return backend


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT, ROOT / "backend")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{LAYERS} KEPT" in " ".join(result.stdout.split())


def test_a_back_edge_breaks_the_layers_contract(tmp_path):
    backend = copy_backend(tmp_path)
    with (backend / "accord" / "cases" / "models.py").open("a") as models:
        models.write("\nimport accord.rooms.models  # noqa: E402, F401\n")
    with (backend / "accord" / "core" / "storage.py").open("a") as storage:
        storage.write(
            "\n\ndef _hidden() -> None:\n    import accord.orgs.selectors  # noqa: F401\n"
        )

    result = lint_imports(tmp_path, backend)

    output = " ".join(result.stdout.split())
    assert result.returncode != 0, output
    assert f"{LAYERS} BROKEN" in output
    assert "accord.cases.models -> accord.rooms.models" in output
    assert "accord.core.storage -> accord.orgs.selectors" in output
