"""The city sets up a programme year: its goal, the notice's deadlines (then edited), the
creation lists carried over (firms not yet passed) and the look-back; run twice, nothing
doubles; only the city may."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enterprises.choices import Status
from enterprises.models import CreationListEntry
from lookback.models import Campaign
from portal.audit import history_for
from reports.models import CityGoal, Submission, SubmissionDeadline
from reports.services import year_setup

pytestmark = pytest.mark.django_db
YEAR = 2017


@pytest.fixture
def last_year(make_enterprise, zhifu):
    """2016's list in 芝罘区: one passed, one still self-assessing, one closed, one revoked."""
    firms = {
        name: make_enterprise(county=zhifu, name=name, status=status)
        for name, status in [("已达标", Status.CONFIRMED), ("自评中", Status.SELF_ASSESSING),
                             ("已关闭", Status.LISTED), ("被撤销", Status.REVOKED)]
    }  # fmt: skip
    firms["已关闭"].closed_on = dt.date(2016, 8, 1)
    firms["已关闭"].save()
    for firm in firms.values():
        CreationListEntry.objects.create(
            enterprise=firm, year=2016, target_date=dt.date(2016, 12, 31)
        )
    return firms


def set_up(actor):
    return year_setup.year_set_up(
        actor=actor, year=YEAR, pass_percent=100, due_on=dt.date(YEAR, 12, 31)
    )


def test_setting_up_a_year_gives_goal_deadlines_lists_and_lookback(city_user, last_year):
    result = set_up(city_user)
    assert (result.goal.pass_percent, result.goal.due_on) == (100, dt.date(YEAR, 12, 31))
    assert [d.due_on for d in result.deadlines] == [
        kind.default_due_on(YEAR) for kind in (d.kind for d in result.deadlines)
    ]
    assert result.deadlines and all(d.year == YEAR for d in result.deadlines)
    carried = set(
        CreationListEntry.objects.filter(year=YEAR).values_list("enterprise__name", flat=True)
    )
    assert carried == {"自评中", "被撤销"}
    assert result.carried_over == 2
    assert result.campaign.year == YEAR


def test_run_twice_nothing_doubles(city_user, last_year):
    set_up(city_user)
    counts = lambda: (  # noqa: E731
        CityGoal.objects.filter(year=YEAR).count(),
        SubmissionDeadline.objects.filter(year=YEAR).count(),
        Submission.objects.filter(deadline__year=YEAR).count(),
        CreationListEntry.objects.filter(year=YEAR).count(),
        Campaign.objects.filter(year=YEAR).count(),
    )
    before = counts()
    assert set_up(city_user).carried_over == 0
    assert counts() == before


def test_a_deadline_moved_by_the_city_stays_moved_and_is_recorded(city_user, reference):
    deadline = set_up(city_user).deadlines[0]
    year_setup.deadline_move(actor=city_user, deadline=deadline, due_on=dt.date(YEAR, 4, 15))
    set_up(city_user)
    deadline.refresh_from_db()
    assert deadline.due_on == dt.date(YEAR, 4, 15)
    assert history_for(deadline).filter(action="修改上报截止日期").exists()


def test_only_the_city_sets_up_a_year(county_user, reference):
    with pytest.raises(PermissionDenied):
        set_up(county_user)
    assert not CityGoal.objects.filter(year=YEAR).exists()


def test_the_page_sets_up_the_year_and_edits_a_deadline(client, city_user, last_year):
    client.force_login(city_user)
    url = f"{reverse('reports:year_setup')}?year={YEAR}"
    assert "2017年度工作设置" in client.get(url).content.decode()
    response = client.post(url, {"pass_percent": 100, "due_on": "2017-12-31"})
    assert response.status_code == 302
    deadline = SubmissionDeadline.objects.filter(year=YEAR).first()
    page = client.get(url).content.decode()
    assert "2017年12月31日前小微企业达标率 100%" in page and "已启动" in page
    client.post(reverse("reports:year_deadline", args=[deadline.pk]),
                {f"d{deadline.pk}-due_on": "2017-05-06"})  # fmt: skip
    deadline.refresh_from_db()
    assert deadline.due_on == dt.date(YEAR, 5, 6)


def handed_in(deadline, county, when, status):
    from django.utils import timezone

    sub = Submission.objects.get(deadline=deadline, county=county)
    at = timezone.make_aware(dt.datetime.combine(when, dt.time(10)))
    Submission.objects.filter(pk=sub.pk).update(
        status=status, submitted_at=at, is_late=at >= deadline.closes_at
    )
    return sub


def test_moving_a_deadline_judges_the_documents_already_in_against_the_new_date(
    city_user, reference
):
    zhifu, fushan, laishan = reference["counties"][:3]
    deadline = set_up(city_user).deadlines[0]
    due = deadline.due_on
    on_time = handed_in(deadline, zhifu, due, "submitted")  # on the day: on time
    late = handed_in(deadline, fushan, due + dt.timedelta(days=2), "late")
    accepted = handed_in(deadline, laishan, due, "accepted")
    # Brought forward a day: the two handed in on the day are now late.
    year_setup.deadline_move(actor=city_user, deadline=deadline, due_on=due - dt.timedelta(days=1))
    for sub, status, is_late in ((on_time, "late", True), (late, "late", True),
                                 (accepted, "accepted", True)):  # fmt: skip
        sub.refresh_from_db()
        assert (sub.status, sub.is_late) == (status, is_late), sub.county
    assert history_for(on_time).filter(action="截止日期调整，改为逾期上报").exists()
    assert history_for(accepted).filter(action="截止日期调整，更正逾期标记").exists()
    # Put back later than both: every one is on time again, the accepted one stays accepted.
    deadline.refresh_from_db()
    year_setup.deadline_move(actor=city_user, deadline=deadline, due_on=due + dt.timedelta(days=5))
    for sub, status in ((on_time, "submitted"), (late, "submitted"), (accepted, "accepted")):
        sub.refresh_from_db()
        assert (sub.status, sub.is_late) == (status, False), sub.county
    assert history_for(late).filter(action="截止日期调整，改为按时上报").exists()
