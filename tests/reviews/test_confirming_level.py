"""Who confirms which grade (烟安监〔2016〕6号 and the national rules, DOMAIN.md): small and
micro firms' 达标 is confirmed by the county, 三级 by the city (设区的市); 二级 and 一级 are
decided by the province and the nation, so the city recommends them upward (推荐上报) and
nothing is issued locally. Each level's users get the queue of what is theirs."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enterprises.choices import Grade, SizeClass, Status
from portal.audit import history_for
from reviews.choices import ReviewStatus
from reviews.models import Certificate
from reviews.rules import confirming_level
from reviews.selectors.announcements import concluded_reviews
from reviews.services.certificates import review_confirm, review_recommend
from tests.reviews.factories_announcements import concluded_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(make_enterprise, zhifu):
    def make(name="烟台芝罘重工机械有限公司", county=zhifu):
        return make_enterprise(name=name, county=county, size=SizeClass.MEDIUM)

    return make


def test_the_levels_are_the_notices_by_default():
    assert confirming_level(result=Grade.PASS) == "county"
    assert confirming_level(result=Grade.LEVEL3) == "city"
    assert confirming_level(result=Grade.LEVEL2) == "recommend"
    assert confirming_level(result=Grade.LEVEL1) == "recommend"
    # A failure is closed by the level of the grade applied for, never recommended upward.
    assert confirming_level(result="", applied_grade="") == "county"
    assert confirming_level(result="", applied_grade=Grade.LEVEL3) == "city"
    assert confirming_level(result="", applied_grade=Grade.LEVEL1) == "city"


def test_a_small_firms_pass_is_the_countys_to_confirm_and_not_the_citys(
    firm, county_user, city_user
):
    review = concluded_review(firm, result=Grade.PASS)
    with pytest.raises(PermissionDenied, match="由企业所在县市区监管部门确认"):
        review_confirm(review=review, actor=city_user)
    certificate = review_confirm(review=review, actor=county_user)
    assert certificate.issuer == firm.county.supervisor


def test_a_third_grade_is_the_citys_to_confirm_and_the_city_issues_it(
    graded, county_user, city_user, settings
):
    firm = graded()
    review = concluded_review(firm, result=Grade.LEVEL3)
    with pytest.raises(PermissionDenied, match="由市局确认"):
        review_confirm(review=review, actor=county_user)
    certificate = review_confirm(review=review, actor=city_user)
    assert certificate.grade == Grade.LEVEL3
    assert certificate.issued_by == certificate.issuer == settings.CITY_SUPERVISOR
    firm.refresh_from_db()
    assert firm.status == Status.CONFIRMED and firm.certificate_no == certificate.number


@pytest.mark.parametrize("grade", [Grade.LEVEL2, Grade.LEVEL1])
def test_a_second_or_first_grade_is_recommended_upward_and_nothing_is_issued_locally(
    grade, graded, county_user, city_user
):
    firm = graded()
    review = concluded_review(firm, result=grade)
    for who in (county_user, city_user):
        with pytest.raises(PermissionDenied, match="推荐上报"):
            review_confirm(review=review, actor=who)
    with pytest.raises(PermissionDenied, match="只有市局可以推荐上报"):
        review_recommend(review=review, actor=county_user)
    review_recommend(review=review, actor=city_user, note="符合二级条件，报省局")
    review.refresh_from_db()
    firm.refresh_from_db()
    assert review.status == ReviewStatus.RECOMMENDED and review.confirmed_at
    assert firm.status == Status.RECOMMENDED and not firm.certificate_no
    assert not Certificate.objects.filter(enterprise=firm).exists()
    entry = next(e for e in history_for(firm) if e.action == "推荐上报")
    assert entry.changes["status"] == ["评审已结论", "已推荐上报"]
    assert entry.note == "符合二级条件，报省局"


def test_a_pass_is_not_recommended_upward(firm, city_user):
    review = concluded_review(firm, result=Grade.PASS)
    with pytest.raises(PermissionDenied, match="不需推荐上报"):
        review_recommend(review=review, actor=city_user)


def test_a_graded_firms_failure_is_closed_by_the_city(graded, county_user, city_user):
    firm = graded()
    review = concluded_review(firm, result="")
    review.applied_grade = Grade.LEVEL2
    review.save(update_fields=["applied_grade"])
    with pytest.raises(PermissionDenied):
        review_confirm(review=review, actor=county_user)
    assert review_confirm(review=review, actor=city_user) is None
    firm.refresh_from_db()
    assert firm.status == Status.SELF_ASSESSING


def test_each_level_gets_the_queue_of_what_is_its_own(
    firm, graded, county_user, city_user, make_user, fushan
):
    small = concluded_review(firm, result=Grade.PASS)
    third = concluded_review(graded(), result=Grade.LEVEL3)
    second = concluded_review(graded("福山某重工有限公司", county=fushan), result=Grade.LEVEL2)
    assert list(concluded_reviews(user=county_user)) == [small]
    assert set(concluded_reviews(user=city_user)) == {third, second}
    assert not concluded_reviews(user=make_user(role="county", county=fushan)).exists()


def test_the_city_sets_another_level_for_a_grade(graded, county_user, city_user, settings):
    settings.REVIEW_CONFIRMING_LEVELS = {"3": "county"}
    review = concluded_review(graded(), result=Grade.LEVEL3)
    assert list(concluded_reviews(user=county_user)) == [review]
    with pytest.raises(PermissionDenied):
        review_confirm(review=review, actor=city_user)
    assert review_confirm(review=review, actor=county_user).grade == Grade.LEVEL3


def test_the_city_recommends_from_the_report_page(graded, city_user, client):
    firm = graded()
    review = concluded_review(firm, result=Grade.LEVEL2)
    client.force_login(city_user)
    report = client.get(reverse("reviews:report", args=[review.pk]))
    assert "推荐上报" in report.content.decode() and "确认评审结论" not in report.content.decode()
    queue = client.get(reverse("reviews:confirmation_list")).content.decode()
    assert firm.name in queue and "查看评审报告并推荐上报" in queue
    url = reverse("reviews:recommend_review", args=[review.pk])
    assert client.post(url).status_code == 302  # without the version read: sent to the report
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED
    response = client.post(url, {"version": review.version, "note": "报省局"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECOMMENDED
    # A replayed click changes nothing.
    client.post(url, {"version": review.version - 1})
    assert len([e for e in history_for(review) if e.action == "推荐上报"]) == 1
