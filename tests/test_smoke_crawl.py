"""Every page reachable by links from each role's start page renders: no 500 anywhere, and no
programmer's text on it (True/False/None, a Python or field name, a hex seed, a traceback).

Seeds a small demo city, logs in as each demo login and follows the links on the pages it
reaches (GET only, a bounded breadth-first walk)."""

import html
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
A = r"(?<![0-9A-Za-z_])"  # ASCII word edges: Chinese beside a word is no part of it
Z = r"(?![0-9A-Za-z_])"
PROGRAMMER_TEXT = re.compile(
    rf"{A}(?:True|False|None|Traceback|object){Z}"  # Python's words
    rf"|{A}[a-z]+_[a-z_]+{Z}"  # a field or function name
    rf"|{A}(?=[0-9]*[a-f])[0-9a-f]{{16,}}{Z}"  # a hex seed or digest
    r"|[A-Za-z]{4,}(?: [A-Za-z]{3,}){2,}"  # an English sentence
)
# A public draw shows its digests and the checking script by name: that is its public record.
OWN_RECORD = ("/integrity/public/draws/", "/integrity/draws/")


def programmer_text(page: str) -> list[str]:
    """What a person would read on ``page`` that only a programmer writes."""
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]+>", " ", page)
    return [m.group(0) for m in PROGRAMMER_TEXT.finditer(html.unescape(text))]


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
        landed = response.request["PATH_INFO"]  # Django's admin keeps its own few words
        found = programmer_text(response.content.decode())
        if found and not landed.startswith((*OWN_RECORD, "/admin/")):
            failures.append((url, found[:5]))
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


def test_the_public_pages_render_for_a_visitor_in_plain_chinese(client, demo_city):
    for start in ("/reviews/public/", "/reviews/agencies/list/", "/integrity/public/draws/"):
        seen, failures = crawl(client, start)
        assert not failures, failures
        assert len(seen) > 1, start
