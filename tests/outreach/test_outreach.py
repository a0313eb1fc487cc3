"""Outreach as the notice asks (一（二）): events with the firms that took part and the people
who came; a firm's page lists what it attended; a county's reach is the share of its listed
firms trained or guided."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from enterprises.models import CreationListEntry
from outreach import selectors, services
from outreach.models import EventKind

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def listed(make_enterprise, zhifu):
    firms = [make_enterprise(county=zhifu) for _ in range(4)]
    for firm in firms:
        CreationListEntry.objects.create(enterprise=firm, year=2016, target_date=D(2016, 9, 30))
    return firms


APRIL = D(2016, 4, 22)


def record(actor, kind, firms, held_on=APRIL):
    return services.event_record(
        actor=actor, kind=kind, title="评定标准业务培训班", held_on=held_on, place="会议室",
        organiser="芝罘区安监局", firms=firms, people=[("张三", "安全员")],
    )  # fmt: skip


def test_a_countys_reach_is_the_share_of_listed_firms_trained_or_guided(
    listed, county_user, city_user, zhifu, fushan
):
    record(county_user, EventKind.TRAINING, listed[:2])
    record(county_user, EventKind.GUIDANCE, listed[1:3])  # one firm twice counts once
    record(county_user, EventKind.LEADERS_MEETING, listed[3:])  # a meeting reaches no one
    record(county_user, EventKind.TRAINING, listed[3:], held_on=D(2015, 4, 1))  # another year
    reach = {r.county: r for r in selectors.reach_by_county(city_user, 2016)}
    assert (reach[zhifu].listed, reach[zhifu].reached, reach[zhifu].events) == (4, 3, 3)
    assert reach[zhifu].share == 0.75
    assert reach[fushan].share == 0.0


def test_a_county_records_only_firms_of_its_own(listed, county_user, make_enterprise, fushan):
    with pytest.raises(ValidationError, match="只能登记本县市区的企业"):
        record(county_user, EventKind.TRAINING, [make_enterprise(county=fushan)])


def test_the_city_reads_outreach_but_does_not_record_it(city_user, listed):
    with pytest.raises(PermissionDenied):
        record(city_user, EventKind.TRAINING, listed)


def test_the_firms_page_lists_what_it_attended(listed, county_user, make_user):
    record(county_user, EventKind.TRAINING, listed[:1])
    firm_user = make_user(role="enterprise", enterprise=listed[0])
    client = Client()
    client.force_login(firm_user)
    page = client.get(listed[0].get_absolute_url()).content.decode()
    assert "参加的推进活动" in page and "评定标准业务培训班" in page


def test_a_county_records_an_event_by_credit_codes(listed, county_user):
    client = Client()
    client.force_login(county_user)
    data = {
        "kind": EventKind.TRAINING, "title": "第二期培训班", "held_on": "2016-05-10",
        "place": "会议室", "organiser": "芝罘区安监局",
        "firms": "\n".join(f.credit_code for f in listed[:2]), "people": "张三，安全员\n李四",
    }  # fmt: skip
    response = client.post(reverse("outreach:event_create"), data)
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert listed[0].name in detail and "李四" in detail
    data["firms"] = "91370600MA00000000"
    page = client.post(reverse("outreach:event_create"), data).content.decode()
    assert "本县市区企业名录中没有" in page


def test_the_outreach_criterion_is_the_reach_share(listed, county_user, city_user, zhifu, fushan):
    from reports import evaluation
    from reports.selectors import county_progress

    record(county_user, EventKind.TRAINING, listed[:1])
    day = D(2016, 12, 31)
    progress = county_progress(user=city_user, year=2016, today=day)
    values = evaluation.CRITERIA["outreach_reach"][1](2016, day, progress)
    assert values[zhifu.pk] == 0.25 and values[fushan.pk] is None
