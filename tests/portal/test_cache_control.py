"""Shared office PCs: no authenticated page, export or download is kept by a browser or a proxy
(``Cache-Control: private, no-store``); the public pages may be cached as usual."""

import pytest
from django.test import Client

from tests import test_permission_matrix as matrix
from tests.test_hostile_input import permitted_urls

pytestmark = pytest.mark.django_db

world = matrix.world


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_every_authenticated_response_says_private_no_store(world, settings):
    settings.DEBUG = False
    failures = []
    for name, url, user in permitted_urls(world):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        response = getattr(client, matrix.SPECS[name].method)(url)
        if not {"private", "no-store"} <= _directives(response):
            failures.append(f"{name} {url}: {response.get('Cache-Control')!r}")
    assert not failures, "\n".join(failures)


def test_a_404_to_a_signed_in_user_is_not_stored_either(client, city_user):
    client.force_login(city_user)
    response = client.get("/reviews/assessments/999999/")
    assert response.status_code == 404
    assert {"private", "no-store"} <= _directives(response)


def test_the_public_list_to_an_anonymous_visitor_is_not_marked(client, reference):
    response = client.get("/reviews/public/")
    assert "no-store" not in _directives(response)
