"""Application and assignment: a submitted self-assessment to apply; a reason to return; an
agency qualified for the firm's industry, in good standing, and without a conflict of
interest to assign."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enterprises.choices import Status
from portal.audit import history_for
from portal.statemachine import TransitionRefused
from reviews.choices import AgencyStanding, Funding, ReviewStatus
from reviews.selectors.review import agency_options
from reviews.services import review as services
from tests.reviews import factories_review
from tests.reviews.factories_review import make_agency, make_submitted_assessment

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


def assign(world, review, agency, **kwargs):
    kwargs.setdefault("funding", Funding.SUBSIDY)
    return services.review_assign(review=review, actor=world.county_user, agency=agency, **kwargs)


def test_applying_records_the_self_assessment_and_its_standard(review_world):
    review = review_world.apply()
    assert review.status == ReviewStatus.APPLIED
    assert review.self_assessment == review_world.assessment
    assert review.standard == review_world.standard
    review_world.firm.refresh_from_db()
    assert review_world.firm.status == Status.APPLIED


def test_a_firm_cannot_apply_without_a_submitted_self_assessment(review_world):
    review_world.firm.status = Status.SELF_ASSESSING
    review_world.firm.save()
    with pytest.raises(TransitionRefused, match="尚未提交自评"):
        services.review_apply(enterprise=review_world.firm, actor=review_world.firm_user)


def test_a_firm_cannot_apply_for_another_firm(review_world):
    review_world.firm.status = Status.SELF_ASSESSING
    review_world.firm.save()
    with pytest.raises(PermissionDenied):
        services.review_apply(enterprise=review_world.firm, actor=review_world.other_firm_user)


def test_returning_an_application_needs_a_reason(review_world):
    review = review_world.apply()
    with pytest.raises(ValidationError, match="必须填写理由"):
        services.review_return(review=review, actor=review_world.county_user, reason="  ")


def test_a_returned_application_goes_back_to_self_assessment_with_its_reason(review_world):
    review = review_world.apply()
    services.review_return(review=review, actor=review_world.county_user, reason="自评材料不全")
    review_world.firm.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED and review.return_reason == "自评材料不全"
    assert review_world.firm.status == Status.SELF_ASSESSING
    assert history_for(review_world.firm).filter(note="自评材料不全").exists()
    # and the firm may apply again
    assert services.review_apply(enterprise=review_world.firm, actor=review_world.firm_user)


def test_another_countys_staff_cannot_assign(review_world):
    review = review_world.apply()
    with pytest.raises(PermissionDenied):
        services.review_assign(
            review=review,
            actor=review_world.other_county_user,
            agency=review_world.agency,
            funding=Funding.SELF,
        )


def test_assignment_records_agency_funding_and_fee(review_world):
    review = assign(review_world, review_world.apply(), review_world.agency, fee=8000)
    assert (review.agency, review.funding, review.fee) == (
        review_world.agency,
        Funding.SUBSIDY,
        8000,
    )
    review_world.firm.refresh_from_db()
    assert review_world.firm.status == Status.UNDER_REVIEW
    assert history_for(review).filter(action="委派评审机构").exists()


def test_an_agency_not_qualified_for_the_firms_industry_is_refused(review_world, reference):
    textile_only = make_agency(industries=[reference["industries"][5]])
    with pytest.raises(TransitionRefused, match="不具备机械行业的评审资质"):
        assign(review_world, review_world.apply(), textile_only)


@pytest.mark.parametrize("standing", [AgencyStanding.RECTIFYING, AgencyStanding.REMOVED])
def test_an_agency_under_rectification_or_removed_is_refused(review_world, standing):
    review_world.agency.standing = standing
    review_world.agency.save()
    with pytest.raises(TransitionRefused, match=AgencyStanding(standing).label):
        assign(review_world, review_world.apply(), review_world.agency)


def test_a_warned_agency_may_still_review(review_world):
    review_world.agency.standing = AgencyStanding.WARNED
    review_world.agency.save()
    assert assign(review_world, review_world.apply(), review_world.agency).agency


def test_the_agency_that_guided_the_self_assessment_is_refused_for_conflict(review_world):
    review_world.assessment = make_submitted_assessment(
        review_world.firm, review_world.standard, guide_agency=review_world.agency
    )
    with pytest.raises(TransitionRefused, match="利益冲突"):
        assign(review_world, review_world.apply(), review_world.agency)


def test_the_agency_of_the_guiding_expert_is_refused_for_conflict(review_world):
    expert = review_world.agency.experts.first()
    review_world.assessment = make_submitted_assessment(
        review_world.firm, review_world.standard, guide_expert=expert
    )
    with pytest.raises(TransitionRefused, match="利益冲突"):
        assign(review_world, review_world.apply(), review_world.agency)


def test_the_assignment_page_lists_why_each_excluded_agency_is_excluded(review_world, reference):
    review_world.assessment = make_submitted_assessment(
        review_world.firm, review_world.standard, guide_agency=review_world.agency
    )
    removed = make_agency(industries=[review_world.extra["machinery"]], standing="removed")
    review = review_world.apply()
    reasons = {option.agency: option.reason for option in agency_options(review)}
    assert "利益冲突" in reasons[review_world.agency]
    assert "清除" in reasons[removed]
    assert reasons[review_world.extra["other_agency"]] is None


def test_a_firm_with_a_review_in_progress_cannot_apply_again(review_world):
    review_world.apply()
    review_world.firm.status = Status.SELF_ASSESSING  # e.g. moved back by hand
    review_world.firm.save()
    with pytest.raises(TransitionRefused, match="已有进行中的评审申请"):
        services.review_apply(enterprise=review_world.firm, actor=review_world.firm_user)


# --- The assignment letter (评审委派单) -------------------------------------------------------


def test_assigning_numbers_the_letter_by_county_year_and_a_running_number(review_world):
    from django.utils import timezone

    review = assign(review_world, review_world.apply(), review_world.agency)
    year = timezone.localdate().year
    assert review.assignment_no == f"{review_world.firm.county.code}-{year}-0001"


def test_a_second_assignment_in_the_county_takes_the_next_number(review_world, make_enterprise):
    from django.utils import timezone

    from tests.factories import UserFactory

    first = assign(review_world, review_world.apply(), review_world.agency)
    review_world.firm = make_enterprise(
        county=review_world.firm.county, industry=review_world.extra["machinery"]
    )
    review_world.firm_user = UserFactory(role="enterprise", enterprise=review_world.firm)
    review_world.assessment = None
    second = assign(review_world, review_world.apply(), review_world.agency)
    year = timezone.localdate().year
    assert first.assignment_no.endswith(f"{year}-0001")
    assert second.assignment_no.endswith(f"{year}-0002")


def test_the_printed_letter_names_firm_agency_standard_funding_fee_and_due_date(review_world):
    import datetime as dt

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    review = assign(review_world, review_world.apply(), review_world.agency, fee=6000)
    client = Client()
    client.force_login(review_world.county_user)
    page = client.get(reverse("reviews:assignment_letter", args=[review.pk])).text
    due = timezone.localdate() + dt.timedelta(days=30)
    for expected in (
        "评审委派单",
        review.assignment_no,
        review_world.firm.name,
        review_world.agency.name,
        review_world.standard.name,
        "以奖代补",
        "6000",
        f"{due.year}年{due.month}月{due.day}日",
    ):
        assert expected in page, expected


def test_an_unassigned_review_has_no_letter(review_world):
    from django.test import Client
    from django.urls import reverse

    review = review_world.apply()
    client = Client()
    client.force_login(review_world.county_user)
    assert client.get(reverse("reviews:assignment_letter", args=[review.pk])).status_code == 404
