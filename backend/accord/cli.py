"""The ``accord`` console script: manage.py under a shorter name.

``accord verify-case ORG-2026-00001`` is ``manage.py verify-case ORG-2026-00001``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord", *sys.argv[1:]])


if __name__ == "__main__":
    main()
