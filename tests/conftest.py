"""Fixtures shared by every app's tests: the city's reference data and one user per role.

App-specific factories live in tests/<app>/factories.py."""

import pytest

from portal.celery import app as celery_app


def pytest_collection_modifyitems(items):
    """The browser walk runs last: Playwright leaves an event loop in the main thread."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    # A password check costs ~0.5 s with the real hasher; tests that are not about it use MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A cache of the process's own, empty for each test (portal/caching.py): figures cached by
    # one test never answer another's pages.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def reference(db):
    """The 16 county-level units and 8 industries of the demo city."""
    from enterprises.demo import seed_reference

    counties, industries = seed_reference()
    return {"counties": counties, "industries": industries}


@pytest.fixture
def zhifu(reference):
    return reference["counties"][0]


@pytest.fixture
def fushan(reference):
    return reference["counties"][1]


@pytest.fixture
def make_enterprise(reference):
    from tests.factories import EnterpriseFactory

    def make(**kwargs):
        kwargs.setdefault("county", reference["counties"][0])
        kwargs.setdefault("industry", reference["industries"][3])
        return EnterpriseFactory(**kwargs)

    return make


@pytest.fixture
def make_user(db):
    from tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def city_user(make_user):
    return make_user(role="city")


@pytest.fixture
def county_user(make_user, zhifu):
    return make_user(role="county", county=zhifu)


@pytest.fixture
def agency(db):
    from tests.factories import AgencyFactory

    return AgencyFactory()


@pytest.fixture
def agency_user(make_user, agency):
    return make_user(role="agency", agency=agency)


@pytest.fixture
def firm(make_enterprise, zhifu):
    return make_enterprise(county=zhifu, name="烟台芝罘华鑫机械有限公司")


@pytest.fixture
def enterprise_user(make_user, firm):
    return make_user(role="enterprise", enterprise=firm)


@pytest.fixture
def seats(reference, firm, enterprise_user, county_user, agency_user, make_user, make_enterprise):
    """One user per seat of a machine's table (``tests/machines.py``): the firm ``firm`` of
    芝罘区 and its county and agency, the same roles elsewhere, the city, an administrator and
    the system (``None``)."""
    from tests.factories import AgencyFactory

    return {
        "city": make_user(role="city"),
        "county": county_user,
        "other county": make_user(role="county", county=reference["counties"][1]),
        "firm": enterprise_user,
        "other firm": make_user(role="enterprise", enterprise=make_enterprise()),
        "agency": agency_user,
        "other agency": make_user(role="agency", agency=AgencyFactory()),
        "admin": make_user(role="admin"),
        "system": None,
    }
