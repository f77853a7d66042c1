"""The ``accord`` console script: manage.py under a shorter name.

Command names may be written with hyphens, as the docs do:
``accord verify-case FMC-2026-00001`` runs the ``verify_case`` command.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Imported once the settings module is named (Django's manage.py pattern), not to dodge a cycle.
    from django.core.management import execute_from_command_line

    argv = ["accord", *sys.argv[1:]]
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
