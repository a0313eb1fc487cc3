"""A review is concluded only when it is complete: on-site dates (start ≤ end, not in the
future), a team of two with a leader, each of the 四个结合 recorded with substance, every item
with a deduction a 不符合项 (with its deadline) or rectified on site with evidence, and an
explanation from the team when the review's total exceeds the self-assessment by more than the
city's limit (default 15 points) or an item differs by more than half its points."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from portal.statemachine import TransitionRefused
from reviews.choices import ReviewStatus
from reviews.services import review as services
from tests.reviews import factories_review
from tests.reviews.factories_review import make_submitted_assessment

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world
TODAY = timezone.localdate()


def conclude(world, review):
    return services.review_conclude(review=review, actor=world.agency_user)


def refused(world, review, reason):
    with pytest.raises(TransitionRefused, match=reason):
        conclude(world, review)
    review.refresh_from_db()
    assert review.status != ReviewStatus.CONCLUDED and review.result == ""


def test_a_complete_review_concludes(review_world):
    review = conclude(review_world, review_world.scored({0: 5}))
    assert review.status == ReviewStatus.CONCLUDED


def test_no_conclusion_without_on_site_dates(review_world):
    review = review_world.scored()
    review_world.complete(review, onsite_from=None, onsite_to=None)
    refused(review_world, review, "未填写现场评审日期")


def test_no_conclusion_with_on_site_dates_in_the_future(review_world):
    review = review_world.scored()
    tomorrow = TODAY + dt.timedelta(days=1)
    review_world.complete(review, onsite_from=TODAY, onsite_to=tomorrow)
    refused(review_world, review, "现场评审日期不能晚于今天")


def test_an_end_before_the_start_cannot_even_be_saved(review_world):
    review = review_world.scored()
    with pytest.raises(Exception, match="不能早于开始日期"):
        review_world.complete(review, onsite_from=TODAY, onsite_to=TODAY - dt.timedelta(days=2))


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("responsibility_system", "未填写责任管理机制建立情况"),
        ("hazardous_places", "未填写危险、危害场所辨识"),
        ("special_operation_sites", "未填写特殊作业场所辨识"),
        ("risk_points", "未填写风险节点辨识"),
    ],
)
def test_no_conclusion_without_each_of_the_four_combinations(review_world, field, reason):
    review = review_world.scored()
    review_world.complete(review, **{field: ""})
    refused(review_world, review, reason)


def test_a_placeholder_is_not_a_record(review_world):
    review = review_world.scored()
    review_world.complete(review, responsibility_system="无")
    refused(review_world, review, "未填写责任管理机制建立情况")


def test_no_conclusion_without_the_training_date_and_number(review_world):
    review = review_world.scored()
    review_world.complete(review, training_date=None, trained_count=None)
    refused(review_world, review, "未填写全员培训日期和培训人数")


def test_fewer_trained_than_employees_needs_a_reason(review_world):
    review_world.firm.employees = 80
    review_world.firm.save(update_fields=["employees"])
    review = review_world.scored()
    review_world.complete(review, trained_count=79)
    refused(review_world, review, "培训79人，少于企业职工80人，须说明原因")
    review_world.complete(review, trained_count=79, training_shortfall_reason="1人长期病假")
    assert conclude(review_world, review).status == ReviewStatus.CONCLUDED


def test_each_place_site_and_risk_point_is_a_row(review_world):
    from reviews.models import RiskIdentification

    review = review_world.scored()
    review_world.complete(review, hazardous_places="配电室\n危化品仓库、喷漆房\n\n配电室")
    rows = RiskIdentification.objects.filter(review=review, kind="hazardous_place")
    assert list(rows.values_list("name", flat=True)) == ["配电室", "危化品仓库", "喷漆房"]


def test_no_conclusion_without_the_hazards_found_or_a_word_that_none_were(review_world):
    review = review_world.scored()
    review_world.complete(review, hazards_note="")
    refused(review_world, review, "未登记发现的隐患（现场未发现隐患的，须说明检查情况）")


def test_each_hazard_is_a_nonconformity_or_rectified_on_site_with_files(review_world):
    from reviews.models import HazardFinding

    review = review_world.scored()
    review_world.complete(review, hazards_note="")
    agency_user = review_world.agency_user
    with pytest.raises(Exception, match="隐患须列为不符合项；或现场已整改"):
        services.hazard_record(
            review=review, actor=agency_user, description="消防通道堵塞", rectification="已清理"
        )
    fixed = services.hazard_record(
        review=review,
        actor=agency_user,
        description="消防通道堵塞",
        rectification="当场清理通道",
        files=[factories_review.photo("通道清理后.pdf")],
    )
    nc = services.nonconformity_add(
        review=review,
        actor=agency_user,
        item=review_world.standard.items.order_by("order").first(),
        description="配电箱无漏电保护",
        deadline=TODAY + dt.timedelta(days=15),
    )
    listed = services.hazard_record(
        review=review, actor=agency_user, description="配电箱无漏电保护", nonconformity=nc
    )
    assert fixed.rectified_on_site and fixed.files.get().original_name == "通道清理后.pdf"
    assert listed.nonconformity == nc and not listed.rectified_on_site
    assert HazardFinding.objects.filter(review=review).count() == 2
    refused(review_world, review, "1个不符合项未整改到位")  # the hazard's deadline runs


def test_a_deducted_item_neither_nonconformity_nor_fixed_on_site_is_refused_by_code(review_world):
    review = review_world.with_team()
    review_world.complete(review)
    review_world.score(review, {0: 5, 1: 3})
    refused(review_world, review, "扣分项1.1、2.2既未列为不符合项，也未记录现场整改及佐证")


def test_a_deduction_becomes_a_nonconformity_with_a_deadline_or_is_fixed_on_site(review_world):
    review = review_world.with_team()
    review_world.complete(review)
    review_world.score(review, {0: 5, 1: 3})
    first, second = review_world.standard.items.order_by("order")[:2]
    nc = services.nonconformity_add(
        review=review,
        actor=review_world.agency_user,
        item=first,
        description="责任制未覆盖全员",
        deadline=TODAY + dt.timedelta(days=30),
    )
    refused(review_world, review, "扣分项2.2既未列为不符合项")
    services.review_record_onsite_fix(
        review=review,
        actor=review_world.agency_user,
        item=second,
        evidence="现场补挂警示标志",
        files=[factories_review.photo()],
    )
    refused(review_world, review, "1个不符合项未整改到位")  # the deadline runs; not yet fixed
    assert nc.deadline > TODAY


def test_an_on_site_fix_needs_what_was_done_and_evidence_files(review_world):
    review = review_world.scored({0: 5})
    item = review_world.standard.items.order_by("order").first()
    actor = review_world.agency_user
    with pytest.raises(Exception, match="请填写现场整改情况"):
        services.review_record_onsite_fix(
            review=review, actor=actor, item=item, evidence="  ", files=[factories_review.photo()]
        )
    with pytest.raises(Exception, match="请上传现场整改的佐证材料"):
        services.review_record_onsite_fix(review=review, actor=actor, item=item, evidence="已整改")


def gap_world(world, own_score):
    world.assessment = make_submitted_assessment(world.firm, world.standard, score=own_score)
    return world


def test_a_review_more_than_15_points_above_the_self_assessment_needs_an_explanation(review_world):
    gap_world(review_world, D("84.9"))  # the review gives 100.0: 15.1 above
    review = review_world.scored(explain=False)
    refused(review_world, review, "评审得分100.0分高于自评84.9分15.1分（超过15分）")
    review_world.complete(review, gap_explanation="企业自评时对空项理解有误，评审组逐项核实")
    assert conclude(review_world, review).status == ReviewStatus.CONCLUDED


def test_exactly_15_points_above_needs_no_explanation(review_world):
    gap_world(review_world, D("85.0"))
    review = review_world.scored(explain=False)
    assert conclude(review_world, review).status == ReviewStatus.CONCLUDED


def test_the_city_may_set_its_own_limit(review_world, settings):
    settings.REVIEW_SCORE_GAP_POINTS = 10
    gap_world(review_world, D("89.0"))
    review = review_world.scored(explain=False)
    refused(review_world, review, "超过10分")


def test_an_item_differing_by_more_than_half_its_points_needs_an_explanation(review_world):
    # 25-point items: the firm deducted nothing, the agency 12.5 (half: not more) and 13
    review = review_world.scored({0: D("12.5")}, explain=False)
    assert not services.has_open_nonconformities(review)
    assert conclude(review_world, review).status == ReviewStatus.CONCLUDED


def test_an_item_thirteen_of_twenty_five_apart_is_named(review_world):
    review = review_world.scored({1: 13}, explain=False)
    refused(review_world, review, "评分项2.2与自评扣分相差超过该项分值的一半")


def test_every_missing_piece_is_listed_at_once(review_world):
    review = review_world.assigned()
    with pytest.raises(TransitionRefused) as refusal:
        conclude(review_world, review)
    message = str(refusal.value)
    for missing in ("未填写现场评审日期", "评审组至少需要2名", "未填写责任管理机制", "未评分"):
        assert missing in message


# --- The gap limit is the city's, on its settings page -----------------------------------------


def test_the_city_sets_the_gap_limit_on_its_page_and_conclusions_are_held_to_it(
    review_world, city_user
):
    from django.test import Client
    from django.urls import reverse

    from portal.audit import history_for
    from reviews.models import ReviewSettings

    url = reverse("reviews:settings")
    county = Client()
    county.force_login(review_world.county_user)
    assert "15.0" in county.get(url).content.decode()  # the default until the city saves
    assert county.post(url, {"score_gap_points": "5", "version": "1"}).status_code == 403
    city = Client()
    city.force_login(city_user)
    assert city.post(url, {"score_gap_points": "10", "version": "1"}).status_code == 302
    saved = ReviewSettings.objects.get()
    assert history_for(saved).first().changes == {"score_gap_points": ["15.0", "10.0"]}
    gap_world(review_world, D("89.0"))
    review = review_world.scored(explain=False)
    refused(review_world, review, "评审得分100.0分高于自评89.0分11.0分（超过10.0分）")
