"""The demo lives in the present: it is seeded in this year, every pass has its review and
certificate, and the nightly jobs run on the real clock leave every figure as it was."""

import re
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


YEARLY_PAGES = [
    "reports:dashboard", "reports:county_home", "reports:targets", "reports:submissions",
    "reports:snapshots", "reports:evaluation", "enterprises:creation_list",
    "lookback:campaign_list", "lookback:audit_list", "outreach:event_list",
    "outreach:hand_scores", "integrity:draw_list", "reports:year_setup",
]  # fmt: skip
BUTTON_LINK = re.compile(r'<a class="btn[^"]*" href="(/[^"]*)"')


def test_no_yearly_page_of_the_demo_offers_a_step_that_is_then_refused(demo, client):
    """Each demo login, on each yearly page it may see, for last year, this year and the next:
    every button that opens a step opens it (no 403, no redirect back with a refusal)."""
    from django.contrib.auth import get_user_model
    from django.contrib.messages import get_messages
    from django.contrib.messages.constants import WARNING
    from django.urls import reverse

    year = timezone.localdate().year
    refused, opened = [], set()
    for username in ("city", "county", "enterprise", "agency"):
        client.force_login(get_user_model().objects.get(username=username))
        for name in YEARLY_PAGES:
            for shown in (year - 1, year, year + 1):
                page = client.get(reverse(name), {"year": shown})
                if page.status_code != 200:
                    continue  # not this login's page
                for href in set(BUTTON_LINK.findall(page.content.decode())):
                    href = href.replace("&amp;", "&")
                    if "export" in href or "xlsx" in href or "download" in href:
                        continue
                    step = client.get(href)
                    opened.add((username, href.split("?")[0]))
                    said = [m for m in get_messages(step.wsgi_request) if m.level >= WARNING]
                    if step.status_code >= 400 or said:
                        refused.append((username, name, shown, href, step.status_code, said))
    assert not refused, refused
    assert len(opened) > 10, opened
