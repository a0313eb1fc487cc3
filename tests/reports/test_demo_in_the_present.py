"""The demo lives in the present: it is seeded in this year, every pass has its review and
certificate, and the nightly jobs run on the real clock leave every figure as it was."""

from collections import Counter
from importlib import import_module
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from enterprises.models import County, CreationListEntry, Enterprise
from lookback.selectors import passes_of_year
from portal.celery import app
from reports.models import CountyTarget
from reports.selectors import every_county_progress
from reviews.models import Certificate
from reviews.selectors.announcements import public_announced, public_publicities

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", enterprises=300, stdout=StringIO())


def passed_per_county(year: int, today) -> dict[str, tuple[int, int, int]]:
    """Per county: the dashboard's passes, the audit population, the public site (its list of
    announced firms and the 公示 open to objection, which come before the 公告)."""
    dashboard = {p.county.name: p.passed for p in every_county_progress(year=year, today=today)}
    public = Counter(public_announced(params={}).values_list("enterprise__county__name", flat=True))
    for publicity in public_publicities():
        public[publicity.county.name] += len(publicity.certificates.all())
    return {
        county.name: (
            dashboard.get(county.name, 0),
            passes_of_year(county=county, year=year).values("enterprise").distinct().count(),
            public[county.name],
        )
        for county in County.objects.current()
    }


def run_every_nightly_job() -> None:
    """Every entry of the beat schedule, run as the worker would, for today."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        import_module(entry["task"].rsplit(".", 1)[0])  # what the worker loads at start
        app.tasks[entry["task"]].apply().get()


def test_dashboard_audit_and_public_list_agree_per_county_before_and_after_nightly_jobs(
    demo,
):
    today = timezone.localdate()
    before = passed_per_county(today.year, today)
    assert sum(d for d, _, _ in before.values()) > 0
    assert all(d == a == p for d, a, p in before.values()), before
    run_every_nightly_job()
    assert passed_per_county(today.year, today) == before


def test_the_demo_is_seeded_in_the_current_year_with_certificates_valid_today(demo):
    today = timezone.localdate()
    assert set(CreationListEntry.objects.values_list("year", flat=True)) == {today.year}
    assert CountyTarget.objects.filter(year=today.year, status="accepted").count() == 16
    passed = Enterprise.objects.filter(status__in=["confirmed", "announced"])
    certificates = Certificate.objects.filter(revoked_at__isnull=True)
    assert passed.count() == certificates.count() > 0
    assert not passed.filter(reviews__isnull=True).exists()
    assert all(c.issued_on <= today <= c.valid_until for c in certificates)


def test_the_morning_job_has_reminders_to_send_today(demo):
    from reports.tasks import send_daily_reminders

    sent = send_daily_reminders.apply().get()
    assert sent.get("list_target", 0) > 0 and sent.get("nonconformity", 0) > 0


def test_year_2016_replays_the_notice_s_own_year(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", enterprises=100, year=2016, stdout=StringIO())
    assert set(CreationListEntry.objects.values_list("year", flat=True)) == {2016}
    assert set(Certificate.objects.values_list("issued_on__year", flat=True)) == {2016}


def test_the_demo_seeds_an_empty_registry_without_firms(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", enterprises=0, stdout=StringIO())
    assert Enterprise.objects.count() == 0
    assert CountyTarget.objects.filter(year=timezone.localdate().year).count() == 16


def test_the_demo_campaign_takes_its_input_today_and_reminds_before_its_deadlines(demo):
    from lookback.models import Campaign, SelfCheck, SpotCheck
    from lookback.selectors import phase_states
    from reports.tasks import send_daily_reminders

    today = timezone.localdate()
    campaign = Campaign.objects.get(year=today.year)
    zhifu = County.objects.get(code="370602")
    phases = phase_states(campaign=campaign, county_id=zhifu.pk, today=today)
    assert all(state["open"] for state in phases.values()), phases
    assert SelfCheck.objects.filter(campaign=campaign).exists()
    assert SpotCheck.objects.filter(campaign=campaign, county=zhifu).exists()
    sent = send_daily_reminders.apply().get()
    if (campaign.self_check_deadline - today).days in (7, 1):
        assert sent.get("lookback_self_check", 0) > 0
