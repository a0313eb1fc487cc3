"""Playwright fixtures for the browser walk: Debian's Chromium, never a downloaded browser.

pytest-playwright provides ``browser``; this file points it at ``/usr/bin/chromium`` and skips
the walk, saying so, on a machine without it. Never run ``playwright install``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = "未找到 Chromium（/usr/bin/chromium），跳过浏览器全流程测试"

# Playwright's sync API keeps an event loop running in the main thread for the whole session;
# without this, Django refuses every ORM call made from the test itself (and from any test that
# runs after the walk) as "called from an async context".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        # Root in CI needs --no-sandbox; the rest keeps Chromium off the (closed) network.
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-gpu",
        ],
    }


@pytest.fixture
def shots(tmp_path_factory):
    """Where the walk leaves its screenshots: a temporary directory, never the repository."""
    return tmp_path_factory.mktemp("walk-screenshots")
