"""docs/operations.md's configuration table lists exactly the variables the code reads.

Read by the code: every call of the settings helpers (``envstr``, ``envint``, ``envbool``,
``envlist``, ``envmap`` of backend/config/env.py), of the media worker's (``_get``, ``_number``,
``_bool`` of media_worker/config.py) and every ``os.environ`` / ``os.getenv`` read with a
literal name, anywhere under backend/ and media_worker/. Found by parsing the source, so a
variable read in a branch no test takes still counts.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "backend", REPO / "media_worker"]
DOC = REPO / "docs" / "operations.md"

HELPERS = {"envstr", "envint", "envbool", "envlist", "envmap", "_get", "_number", "_bool"}
ENVIRON_METHODS = {"get", "setdefault", "pop"}
NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _literal_names(args: list[ast.expr]) -> list[str]:
    return [
        a.value
        for a in args
        if isinstance(a, ast.Constant) and isinstance(a.value, str) and NAME.match(a.value)
    ]


def _is_environ(node: ast.expr) -> bool:
    """``os.environ`` or ``environ``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _reads_environment(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in HELPERS
    if isinstance(func, ast.Attribute):
        return func.attr == "getenv" or (func.attr in ENVIRON_METHODS and _is_environ(func.value))
    return False


def names_read_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _reads_environment(node.func):
            found.update(_literal_names(node.args)[:1])
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            found.update(_literal_names([node.slice]))
    return found


def names_read() -> dict[str, Path]:
    where: dict[str, Path] = {}
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for name in names_read_in(ast.parse(path.read_text(encoding="utf-8"))):
                where.setdefault(name, path.relative_to(REPO))
    return where


def names_documented() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def test_the_reader_finds_each_kind_of_read():
    source = """
import os
from os import environ
a = envstr("A_STR", "")
b = _get(env, "B_WORKER", "x")
c = os.environ.get("C_GET")
d = os.environ["D_ITEM"]
e = os.getenv("E_GETENV")
f = environ.setdefault("F_DEFAULT", "1")
g = settings.get("NOT_ENV")
"""
    assert names_read_in(ast.parse(source)) == {
        "A_STR",
        "B_WORKER",
        "C_GET",
        "D_ITEM",
        "E_GETENV",
        "F_DEFAULT",
    }


def test_the_configuration_table_lists_every_variable_the_code_reads():
    read = names_read()
    documented = names_documented()
    undocumented = sorted(f"{name} (read in {read[name]})" for name in set(read) - documented)
    assert undocumented == [], f"read but not in docs/operations.md: {undocumented}"


def test_the_configuration_table_lists_no_variable_the_code_does_not_read():
    stale = sorted(names_documented() - set(names_read()))
    assert stale == [], f"in docs/operations.md but read nowhere: {stale}"


def test_the_table_was_found():
    documented = names_documented()
    assert {"ACCORD_DEMO", "ACCORD_SMS_BACKEND", "MEDIA_WORKER_ID"} <= documented
