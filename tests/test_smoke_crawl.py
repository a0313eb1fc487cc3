"""Every page reachable by links from each role's start page renders: no 500 anywhere.

Seeds a small demo city, logs in as each demo login and follows the links on the pages it
reaches (GET only, a bounded breadth-first walk)."""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"#][^"]*)"')
SKIP = ("/accounts/logout", "/admin/logout", "/static/", "/media/")
MAX_PAGES = 120


def crawl(client, start="/"):
    seen, queue, failures = {start}, deque([start]), []
    while queue and len(seen) <= MAX_PAGES:
        url = queue.popleft()
        response = client.get(url, follow=True)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.netloc or not href.startswith("/") or href.startswith(SKIP):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return seen, failures


@pytest.fixture
def demo_city(settings):
    settings.DEBUG = True
    call_command("seed_demo", enterprises=150, verbosity=0)


@pytest.mark.parametrize("username", ["city", "county", "enterprise", "agency", "admin"])
def test_no_page_reachable_by_a_demo_login_fails(client, demo_city, username):
    client.force_login(get_user_model().objects.get(username=username))
    seen, failures = crawl(client)
    assert not failures, failures
    assert len(seen) > 3
