"""The demo city: 16 county-level units, 8 industries, valid firms, one login per role."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from enterprises.credit_code import credit_code_error
from enterprises.models import County, Enterprise, Industry
from reviews.models import ReviewAgency

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_city_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", enterprises=300)
    counts = (County.objects.count(), Industry.objects.count(), Enterprise.objects.count())
    assert counts == (16, 8, 300)
    call_command("seed_demo", enterprises=300)
    assert (County.objects.count(), Industry.objects.count(), Enterprise.objects.count()) == counts
    assert ReviewAgency.objects.count() >= 3
    roles = set(get_user_model().objects.values_list("role", flat=True))
    assert roles == {"admin", "city", "county", "enterprise", "agency"}
    assert all(
        credit_code_error(c) is None
        for c in Enterprise.objects.values_list("credit_code", flat=True)
    )
    assert County.objects.filter(code="370602", name="芝罘区").exists()
    assert County.objects.get(name="昆嵛山保护区").supervisor == "昆嵛山保护区管委综合执法局"


def test_seed_demo_refuses_demo_logins_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", enterprises=10)
    call_command("seed_demo", enterprises=10, force=True)
    assert get_user_model().objects.filter(username="city").exists()


def test_seed_demo_if_empty_leaves_an_existing_registry_alone(settings):
    settings.DEBUG = True
    call_command("seed_demo", enterprises=20)
    call_command("seed_demo", enterprises=50, if_empty=True)
    assert Enterprise.objects.count() == 20
