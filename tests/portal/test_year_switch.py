"""One year switch on every yearly page, opening on the current programme year; and no action
offered on a year that the state machine or the service would refuse."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lookback.services import campaign_open
from reports.services import targets

pytestmark = pytest.mark.django_db

YEARLY_PAGES = [
    "reports:dashboard",
    "reports:targets",
    "reports:submissions",
    "reports:snapshots",
    "reports:evaluation",
    "enterprises:creation_list",
    "lookback:campaign_list",
    "lookback:audit_list",
    "outreach:event_list",
    "outreach:hand_scores",
    "integrity:draw_list",
]


@pytest.mark.parametrize("name", YEARLY_PAGES)
def test_every_yearly_page_has_the_year_switch_on_the_current_year(client, city_user, name):
    client.force_login(city_user)
    page = client.get(reverse(name)).content.decode()
    year = timezone.localdate().year
    assert 'id="year-switch"' in page
    assert f'<option value="{year}" selected>{year}年</option>' in page
    page = client.get(reverse(name), {"year": 2016}).content.decode()
    assert '<option value="2016" selected>2016年</option>' in page


def test_the_switch_keeps_the_page_s_other_filters_but_not_its_page_number(client, city_user):
    client.force_login(city_user)
    page = client.get(reverse("enterprises:creation_list"), {"q": "机械", "page": 3})
    html = page.content.decode()
    assert '<input type="hidden" name="q" value="机械">' in html
    assert 'name="page"' not in html.split('id="year-switch"')[0].rsplit("<form", 1)[1]


def test_a_locked_target_offers_no_edit_link_on_the_list(client, county_user, zhifu):
    year = timezone.localdate().year
    url = reverse("reports:targets")
    edit = reverse("reports:target_edit", args=[year])
    client.force_login(county_user)
    assert edit in client.get(url).content.decode()  # nothing filed yet: it may be filed
    target = targets.target_save(
        actor=county_user, county=zhifu, year=year, listed_count=10,
        milestones=[(dt.date(year, 12, 31), 5)],
    )  # fmt: skip
    assert edit in client.get(url).content.decode()  # a draft may be revised
    targets.target_submit(actor=county_user, target=target)
    assert edit not in client.get(url).content.decode()  # submitted: locked


def test_a_year_with_a_campaign_offers_no_second_one(client, city_user):
    client.force_login(city_user)
    url = reverse("lookback:campaign_list")
    opener = reverse("lookback:campaign_open")
    assert opener in client.get(url).content.decode()
    campaign_open(year=timezone.localdate().year, actor=city_user)
    assert opener not in client.get(url).content.decode()
    assert opener in client.get(url, {"year": 2016}).content.decode()


def test_a_year_without_passes_offers_no_audit_draw(client, city_user, make_enterprise):
    """The audit's population is the year's passes: a year without any has nothing to draw."""
    from enterprises.choices import Grade, Status
    from reviews.models import Certificate, Review

    firm = make_enterprise(status=Status.ANNOUNCED, certificate_no="Y-1")
    Certificate.objects.create(
        enterprise=firm, review=Review.objects.create(enterprise=firm, result=Grade.PASS),
        grade=Grade.PASS, number="Y-1", issued_on=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=1000),
    )  # fmt: skip
    client.force_login(city_user)
    url = reverse("lookback:audit_list")
    draw = reverse("integrity:draw_list") + "?kind=audit"
    this_year = timezone.localdate().year
    assert draw in client.get(url, {"year": this_year}).content.decode()
    page = client.get(url, {"year": this_year + 1}).content.decode()
    assert draw not in page and "尚无达标企业" in page
