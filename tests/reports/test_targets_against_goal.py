"""A county's target against the city's goal: its base is its small/micro firms in the registry,
the goal of the year gives its minimum; a target below it needs the county's explanation, and
the city accepts it only with a recorded reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.audit import history_for
from reports.choices import TargetStatus
from reports.models import CityGoal
from reports.rules import goal_minimum
from reports.selectors import target_standing
from reports.services import targets

pytestmark = pytest.mark.django_db
YEAR = 2016


@pytest.mark.parametrize(
    "base, percent, minimum", [(15, 50, 8), (16, 50, 8), (0, 50, 0), (7, 100, 7), (1, 50, 1)]
)
def test_the_minimum_is_the_goal_applied_to_the_base_rounded_up(base, percent, minimum):
    assert goal_minimum(base, percent) == minimum


@pytest.fixture
def ten_small_firms(make_enterprise, zhifu):
    for n in range(10):
        make_enterprise(county=zhifu, name=f"小微{n}", size="micro" if n % 2 else "small")
    make_enterprise(county=zhifu, name="大型企业", size="large")  # not in the base
    CityGoal.objects.create(year=YEAR, due_on=dt.date(YEAR, 12, 31), pass_percent=50)


def low_target(county_user, zhifu, explanation=""):
    """芝罘区 proposes 1 of its 10 small/micro firms to pass (the minimum is 5)."""
    return targets.target_save(
        actor=county_user, county=zhifu, year=YEAR, listed_count=5,
        milestones=[(dt.date(YEAR, 12, 31), 1)], explanation=explanation,
    )  # fmt: skip


def test_the_base_and_minimum_stand_beside_the_proposal(ten_small_firms, county_user, zhifu):
    standing = target_standing(low_target(county_user, zhifu))
    assert (standing.base, standing.minimum, standing.proposal) == (10, 5, 1)
    assert standing.below_minimum


def test_a_target_below_the_minimum_is_refused_without_an_explanation(
    ten_small_firms, county_user, zhifu
):
    target = low_target(county_user, zhifu)
    with pytest.raises(ValidationError, match="低于全市目标折算的本地最低数5家"):
        targets.target_submit(actor=county_user, target=target)
    target = low_target(county_user, zhifu, explanation="3家企业年内关停搬迁，另有2家正在注销")
    assert targets.target_submit(actor=county_user, target=target).status == TargetStatus.SUBMITTED


def test_the_city_accepts_a_target_below_the_minimum_only_with_a_recorded_reason(
    ten_small_firms, county_user, city_user, zhifu
):
    target = low_target(county_user, zhifu, explanation="多家企业关停")
    targets.target_submit(actor=county_user, target=target)
    with pytest.raises(ValidationError, match="审定须填写理由"):
        targets.target_accept(actor=city_user, target=target, reason="  ")
    target.refresh_from_db()
    assert target.status == TargetStatus.SUBMITTED
    targets.target_accept(actor=city_user, target=target, reason="经核实关停企业属实")
    target.refresh_from_db()
    assert target.status == TargetStatus.ACCEPTED
    assert target.accept_reason == "经核实关停企业属实"
    assert history_for(target).first().note == "经核实关停企业属实"


def test_a_target_at_the_minimum_needs_neither(ten_small_firms, county_user, city_user, zhifu):
    target = targets.target_save(
        actor=county_user, county=zhifu, year=YEAR, listed_count=8,
        milestones=[(dt.date(YEAR, 12, 31), 5)],
    )  # fmt: skip
    targets.target_submit(actor=county_user, target=target)
    assert targets.target_accept(actor=city_user, target=target).status == TargetStatus.ACCEPTED


def test_the_city_s_review_page_shows_base_minimum_and_proposal(
    client, ten_small_firms, county_user, city_user, zhifu
):
    target = low_target(county_user, zhifu, explanation="多家企业关停")
    targets.target_submit(actor=county_user, target=target)
    client.force_login(city_user)
    rows = client.get(reverse("reports:targets"), {"year": YEAR}).context["rows"]
    zhifu_row = next(r for r in rows if r["county"] == zhifu)
    assert (zhifu_row["standing"].base, zhifu_row["standing"].minimum) == (10, 5)
    page = client.get(reverse("reports:target_detail", args=[target.pk])).content.decode()
    assert "全市目标折算最低数" in page and 'name="reason"' in page
    response = client.post(reverse("reports:target_accept", args=[target.pk]), follow=True)
    assert "审定须填写理由" in response.content.decode()
    target.refresh_from_db()
    assert target.status == TargetStatus.SUBMITTED


def test_the_rate_on_the_base_is_unchanged_by_removing_a_firm_from_the_list(
    ten_small_firms, county_user, zhifu
):
    from enterprises.models import CreationListEntry, Enterprise
    from enterprises.services import creation_list_remove
    from reports.selectors import county_progress

    small = list(Enterprise.objects.filter(county=zhifu).small_micro().order_by("pk"))
    for firm in small[:4]:
        CreationListEntry.objects.create(enterprise=firm, year=YEAR, target_date="2016-06-30")
    Enterprise.objects.filter(pk=small[0].pk).update(status="announced")
    today = dt.date(YEAR, 7, 1)
    before = county_progress(user=county_user, year=YEAR, today=today)[0]
    assert (before.pass_rate, before.list_rate) == (0.1, 0.25)  # 1 of 10; 1 of 4 on the list
    entry = CreationListEntry.objects.get(enterprise=small[3])
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = SimpleUploadedFile("关停通知.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    creation_list_remove(actor=county_user, entry=entry, reason="shut_down", evidence=evidence)
    after = county_progress(user=county_user, year=YEAR, today=today)[0]
    assert after.pass_rate == 0.1  # on the base: unchanged
    assert round(after.list_rate, 2) == 0.33  # on the list it rose
