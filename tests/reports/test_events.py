"""A county's targets and documents: the city is told when the county hands something in, the
county when the city accepts or returns it; nobody else (``reports.events``)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import Notification
from reports.services import submissions, targets

from .conftest import PDF

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def everyone(county_staff, fushan_user, city_user, enterprise_user, agency_user):
    """Users of every role, so that "only them" is seen against all the others."""
    return [county_staff, fushan_user, city_user, enterprise_user, agency_user]


def told(kind: str) -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def submitted(county_staff, zhifu):
    target = targets.target_save(
        actor=county_staff, county=zhifu, year=2016, listed_count=200,
        milestones=[(D(2016, 6, 30), 50), (D(2016, 12, 31), 100)],
    )  # fmt: skip
    return targets.target_submit(actor=county_staff, target=target)


def test_a_submitted_target_tells_the_city(everyone, county_staff, city_user, zhifu):
    submitted(county_staff, zhifu)
    assert told("reports.target_submitted") == {city_user.pk}


@pytest.mark.parametrize("decision", ["accepted", "returned"])
def test_the_citys_decision_on_a_target_tells_its_county(
    everyone, county_staff, city_user, zhifu, decision
):
    target = submitted(county_staff, zhifu)
    if decision == "accepted":
        targets.target_accept(actor=city_user, target=target)
    else:
        targets.target_return(actor=city_user, target=target, reason="时间节点过于靠后")
    assert told(f"reports.target_{decision}") == {county_staff.pk}


def test_a_document_handed_in_tells_the_city(everyone, zhifu_plan, county_staff, city_user):
    document = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    submissions.submission_upload(actor=county_staff, submission=zhifu_plan, document=document)
    assert told("reports.submission_handed_in") == {city_user.pk}


@pytest.mark.parametrize("decision", ["accepted", "returned"])
def test_the_citys_decision_on_a_document_tells_its_county(
    everyone, zhifu_plan, county_staff, city_user, decision
):
    document = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    sub = submissions.submission_upload(
        actor=county_staff, submission=zhifu_plan, document=document
    )
    if decision == "accepted":
        submissions.submission_accept(actor=city_user, submission=sub)
    else:
        submissions.submission_return(actor=city_user, submission=sub, comment="缺少时间表")
    assert told(f"reports.submission_{decision}") == {county_staff.pk}


def test_every_morning_reminder_has_a_kind_its_recipients_can_turn_off():
    from portal.events import event
    from reports.choices import ReminderKind
    from reports.services.reminders import reminder_event_kind

    assert reminder_event_kind("submission+7") == "reports.reminder_submission"
    assert reminder_event_kind("certificate-30") == "reports.reminder_certificate"
    for kind in ReminderKind.values:
        assert event(reminder_event_kind(f"{kind}+1")).mail
