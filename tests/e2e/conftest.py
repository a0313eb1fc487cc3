"""Playwright fixtures for the browser walk: Debian's Chromium, never a downloaded browser.

pytest-playwright provides ``browser``; this file points it at ``/usr/bin/chromium`` and skips
the walk, saying so, on a machine without it. Never run ``playwright install``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = "未找到 Chromium（/usr/bin/chromium），跳过浏览器全流程测试"


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the main thread; Django would refuse
    the test's own ORM calls as "called from an async context". Allowed for the walk only: the
    walk runs last (tests/conftest.py), so no other test runs beside that loop."""
    with pytest.MonkeyPatch.context() as patch:
        # Session-scoped so that it outlives the database teardown after the walk; it is set
        # up only when the first e2e test starts, and those run last.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


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
