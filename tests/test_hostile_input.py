"""No page answers a server error to hostile query values.

Generated from the URL resolver through the permission matrix's table and world: every GET page
is asked, as a role the policy allows, with each query parameter it reads (learnt by watching
the request's ``GET`` while the page renders, again after each hostile request, so a parameter
read only when another is set is found too) set to a non-number, zero, a negative and a huge
number, a year past the programme and a very long string. A parameter the page never reads
cannot hurt it and is not asked. Each must answer without a 5xx: a Chinese message, an empty
list, a 400 or a 404."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils.datastructures import MultiValueDict

from tests import test_permission_matrix as matrix
from tests.test_permission_matrix import SPECS, _cases

pytestmark = pytest.mark.django_db

world = matrix.world  # the matrix's demo city, one user per seat

HOSTILE = (
    "未知abc",  # not a number, not a choice
    "0",
    "-1",
    "10000",
    "99999999999999999999",
    "x" * 5000,
)


def permitted_get_urls(users: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(name, url, user) for each GET page: the first seat the matrix expects to be let in."""
    found = []
    for name, spec in SPECS.items():
        if spec.method != "get":
            continue
        for who, url, _method, expected in _cases(name, spec, users):
            if expected == "ok" and "(out of scope)" not in who:
                found.append((name, url, users[who.split(" (")[0]]))
                break
    return found


@contextmanager
def keys_read():
    """Every key a request's query dict is asked for while the block runs (QueryDict shares its
    methods with the URL resolver's dicts, so only QueryDict reads are kept)."""
    seen: set[str] = set()
    original_get, original_item = MultiValueDict.get, MultiValueDict.__getitem__
    original_list = MultiValueDict.getlist

    def get(self, key, default=None):
        if isinstance(self, QueryDict):
            seen.add(key)
        return original_get(self, key, default)

    def item(self, key):
        if isinstance(self, QueryDict):
            seen.add(key)
        return original_item(self, key)

    def getlist(self, key, default=None):
        if isinstance(self, QueryDict):
            seen.add(key)
        return original_list(self, key, default)

    MultiValueDict.get, MultiValueDict.__getitem__, MultiValueDict.getlist = get, item, getlist
    try:
        yield seen
    finally:
        MultiValueDict.get, MultiValueDict.__getitem__ = original_get, original_item
        MultiValueDict.getlist = original_list


def _failures(client: Client, url: str, name: str) -> list[str]:
    """Ask the page with each hostile value of each parameter it reads, until no new one."""
    failures, tried, pending = [], set(), set()
    with keys_read() as seen:
        client.get(url)
        pending |= seen
        while pending - tried:
            parameter = sorted(pending - tried)[0]
            tried.add(parameter)
            for value in HOSTILE:
                status = client.get(url, {parameter: value}).status_code
                if status >= 500:
                    failures.append(f"{name} {url}?{parameter}={value[:24]}: {status}")
            pending |= seen
    return failures


def test_no_page_answers_hostile_query_values_with_a_server_error(world, settings):
    settings.DEBUG = False
    failures = []
    for name, url, user in permitted_get_urls(world):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        failures += _failures(client, url, name)
    assert not failures, "\n".join(failures)


POSTED = ("abc", "-1", "99999999999999999999", "x" * 5000)


def permitted_urls(users: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(name, url, user) for every page, forms included: the first seat let in."""
    found = []
    for name, spec in SPECS.items():
        for who, url, _method, expected in _cases(name, spec, users):
            if expected == "ok" and "(out of scope)" not in who and users[who] is not None:
                found.append((name, url, users[who]))
                break
    return found


def _post_failures(client: Client, url: str, name: str) -> list[str]:
    """Post each hostile value into every field the page reads (the form's version included)."""
    with keys_read() as seen:
        client.post(url, {"version": "1"})
    failures = []
    for value in POSTED:
        data = {key: value for key in seen | {"version"}}
        status = client.post(url, data).status_code
        if status >= 500:
            failures.append(f"POST {name} {url} {sorted(data)}={value[:24]}: {status}")
    return failures


def test_no_form_answers_hostile_posted_values_with_a_server_error(world, settings):
    settings.DEBUG = False
    failures = []
    for name, url, user in permitted_urls(world):
        if name in ("logout", "login"):
            continue
        client = Client(raise_request_exception=False)
        client.force_login(user)
        failures += _post_failures(client, url, name)
    assert not failures, "\n".join(failures)


def _with_path_numbers(url: str, number: str) -> str:
    """``url`` with each of its numeric path segments replaced by ``number``."""
    return "/".join(number if part.isdigit() else part for part in url.split("/"))


def test_no_page_answers_hostile_numbers_in_its_path_with_a_server_error(world, settings):
    settings.DEBUG = False
    failures = []
    for name, url, user in permitted_urls(world):
        if not any(part.isdigit() for part in url.split("/")):
            continue
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for number in ("0", "10000", "99999999999999999999"):
            hostile = _with_path_numbers(url, number)
            status = getattr(client, SPECS[name].method)(hostile).status_code
            if status >= 500:
                failures.append(f"{SPECS[name].method.upper()} {name} {hostile}: {status}")
    assert not failures, "\n".join(failures)


def test_a_target_for_a_year_outside_the_programme_is_no_page(client, county_user):
    client.force_login(county_user)
    for year in ("0", "10000", "99999999999999999999"):
        assert client.get(f"/reports/targets/{year}/edit/").status_code == 404
