"""经验做法 (三（三）): a county submits a short write-up (an attachment checked by its content);
the city features it in a bulletin or returns it with a reason; a featured write-up appears on
the bulletin of the period in which it was featured."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from outreach import services
from outreach.models import GoodPractice
from outreach.workflows import GOOD_PRACTICE
from portal.statemachine import TransitionRefused
from reports.models import ProgressSnapshot
from tests.machines import (
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

pytestmark = pytest.mark.django_db
P = GoodPractice.Status
D = dt.date


@pytest.fixture
def practice(county_user):
    return services.practice_submit(
        actor=county_user, title="一企一策上门指导", text="专家分片包企业，逐家指导自评。"
    )


def test_a_write_up_is_featured_or_returned_once_submitted():
    assert_table(
        GOOD_PRACTICE,
        {"feature": ({P.SUBMITTED}, P.FEATURED), "return": ({P.SUBMITTED}, P.RETURNED)},
    )


@pytest.mark.parametrize("name", ["feature", "return"])
def test_only_the_city_features_or_returns_a_write_up(practice, seats, name):
    assert_only_these_may(GOOD_PRACTICE, name, practice, seats, {"city"})


@pytest.mark.parametrize("name", ["feature", "return"])
def test_a_decided_write_up_cannot_be_decided_again(practice, city_user, name):
    assert_refused_from_other_states(GOOD_PRACTICE, name, practice, city_user)


def test_a_return_needs_the_citys_reason(practice, city_user):
    with pytest.raises(ValidationError, match="退回须写明理由"):
        services.practice_return(practice=practice, actor=city_user, city_note="  ")
    services.practice_return(practice=practice, actor=city_user, city_note="请补充具体成效")
    assert GoodPractice.objects.get(pk=practice.pk).status == P.RETURNED


def test_only_a_county_submits_a_write_up(city_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.practice_submit(actor=city_user, title="市局", text="不应由市局报送")


def test_an_attachment_is_checked_by_its_content_not_its_name(county_user):
    fake = SimpleUploadedFile("材料.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError, match="不是允许的类型"):
        services.practice_submit(actor=county_user, title="题", text="文", attachment=fake)
    assert not GoodPractice.objects.exists()
    real = SimpleUploadedFile("材料.html", b"%PDF-1.4 real")
    practice = services.practice_submit(actor=county_user, title="题", text="文", attachment=real)
    assert practice.original_name == "材料.pdf"


def test_a_county_sees_only_its_own_write_ups(practice, make_user, fushan, city_user):
    assert GoodPractice.objects.for_user(make_user(role="county", county=fushan)).count() == 0
    assert GoodPractice.objects.for_user(city_user).count() == 1


def test_a_replayed_feature_changes_nothing(practice, city_user):
    page = GoodPractice.objects.get(pk=practice.pk)
    services.practice_feature(practice=practice, actor=city_user, featured_on=D(2016, 6, 20))
    with pytest.raises(TransitionRefused):
        services.practice_feature(practice=page, actor=city_user, featured_on=D(2016, 6, 27))
    assert GoodPractice.objects.get(pk=practice.pk).featured_on == D(2016, 6, 20)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_features_at_once_apply_once(practice, city_user):
    def feature():
        services.practice_feature(
            practice=GoodPractice.objects.get(pk=practice.pk), actor=city_user,
            featured_on=D(2016, 6, 20),
        )  # fmt: skip

    assert race(feature) == ["TransitionRefused", "ok"]


def _bulletin(user, taken_on):
    snap = ProgressSnapshot.objects.create(year=taken_on.year, taken_on=taken_on)
    client = Client()
    client.force_login(user)
    return client.get(reverse("reports:bulletin", args=[snap.pk])).content.decode()


def test_a_featured_write_up_shows_on_the_bulletin_of_its_period(practice, city_user, county_user):
    ProgressSnapshot.objects.create(year=2016, taken_on=D(2016, 6, 13))
    services.practice_feature(practice=practice, actor=city_user, featured_on=D(2016, 6, 15))
    this_week = _bulletin(county_user, D(2016, 6, 20))
    assert "经验做法" in this_week and "一企一策上门指导" in this_week
    next_week = _bulletin(county_user, D(2016, 6, 27))
    assert "一企一策上门指导" not in next_week


def test_a_write_up_not_featured_stays_off_the_bulletin(practice, city_user):
    assert "一企一策上门指导" not in _bulletin(city_user, D(2016, 6, 20))


def test_the_submission_pages_show_the_notices_contact(county_user, settings):
    settings.SUBMISSION_CONTACT = "市安监局工商贸科 王宏杰，电话：6789792"
    client = Client()
    client.force_login(county_user)
    for url in (reverse("outreach:practice_create"), reverse("reports:submissions")):
        assert "王宏杰" in client.get(url).content.decode(), url


def test_the_demo_contact_is_the_notices():
    from django.conf import settings

    assert "王宏杰" in settings.SUBMISSION_CONTACT and "6789792" in settings.SUBMISSION_CONTACT
