"""The test run's settings: the portal's own, as a development machine has them (DEBUG on at
import, so no HTTPS redirect, no secret needed, plain static files). pytest-django still runs
every test with ``settings.DEBUG = False``, as Django's test runner does; tests that seed the
demo logins set it themselves. Subprocesses started by tests inherit both variables."""

import os

os.environ.setdefault("DEBUG", "true")

from portal.settings import *  # noqa: E402, F403
