"""A person trying the portal with ``python3 dev.py run`` (DEBUG on) sees the portal's own
Chinese error pages, never Django's English debug pages; administrators keep those."""

import pytest
from django.test import Client, RequestFactory

from portal.middleware import PortalErrorPagesMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/no-such-page/", "/enterprises/99999/"])
def test_a_missing_page_is_the_portals_chinese_404_even_in_debug(county_user, url):
    response = _client(county_user).get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回首页" in page
    assert "Page not found" not in page and "URLconf" not in page


def test_a_visitor_gets_the_chinese_404_too():
    response = _client().get("/reviews/public/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_administrators_keep_djangos_debug_404(make_user):
    admin = make_user(role="admin", is_superuser=True)
    response = _client(admin).get("/no-such-page/")
    assert response.status_code == 404 and "URLconf" in response.content.decode()


def test_a_server_error_is_the_portals_chinese_500_in_debug(county_user):
    request = RequestFactory().get("/reports/")
    request.user = county_user
    middleware = PortalErrorPagesMiddleware(lambda r: None)
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        response = middleware.process_exception(request, error)
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page and "Traceback" not in page and "boom" not in page


def test_without_debug_nothing_changes(settings, county_user):
    settings.DEBUG = False
    request = RequestFactory().get("/reports/")
    request.user = county_user
    middleware = PortalErrorPagesMiddleware(lambda r: None)
    assert middleware.process_exception(request, RuntimeError("boom")) is None
