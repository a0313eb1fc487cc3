#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # A command typed on a checkout with nothing configured keeps its key under var/, as a
    # DEBUG run does; the web server (wsgi) still refuses to start without one.
    os.environ.setdefault("PORTAL_COMMAND_LINE", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
