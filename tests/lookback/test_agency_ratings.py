"""回头看总结: the counties rate the agencies that reviewed in their area; the city decides the
standing (动态梳理评审单位名单), citing the ratings. Every rating is kept, and no rating moves
a standing: a removed agency stays removed whatever later ratings say."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lookback.models import DECIDED, PENDING, AgencyRating
from lookback.services import (
    agency_rating_submit,
    agency_standing_decide_on_ratings,
    campaign_open,
)
from reviews.choices import AgencyStanding
from reviews.models import ReviewAgency
from tests.factories import AgencyFactory, phases_ahead, review_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(city_user):
    return campaign_open(year=2016, actor=city_user, deadlines=phases_ahead())


@pytest.fixture
def worked(agency, firm):
    """The agency reviewed a firm of 芝罘区 in 2016."""
    return review_in(agency, firm, 2016)


def rate(campaign, agency, county_user, rating="good", reason="评审认真"):
    deadline = dt.date(2016, 10, 1) if rating == "warning" else None
    return agency_rating_submit(
        campaign=campaign,
        agency=agency,
        rating=rating,
        reason=reason,
        actor=county_user,
        rectify_by=deadline,
    )


def test_a_county_where_the_agency_did_not_work_is_refused(campaign, agency, make_user, fushan):
    other = make_user(role="county", county=fushan)
    with pytest.raises(ValidationError, match="未在本县市区开展评审"):
        rate(campaign, agency, other)
    assert not AgencyRating.objects.exists()


def test_work_in_another_year_does_not_count(campaign, agency, firm, county_user):
    review_in(agency, firm, 2015)
    with pytest.raises(ValidationError, match="2016年未在本县市区开展评审"):
        rate(campaign, agency, county_user)


def test_a_second_rating_is_kept_beside_the_first(campaign, agency, worked, county_user):
    first = rate(campaign, agency, county_user, "warning", "重收费、轻服务")
    second = rate(campaign, agency, county_user, "good", "已整改")
    assert first.pk != second.pk
    kept = AgencyRating.objects.filter(agency=agency).order_by("sequence")
    assert [(r.sequence, r.rating, r.reason) for r in kept] == [
        (1, "warning", "重收费、轻服务"),
        (2, "good", "已整改"),
    ]


def test_a_rating_moves_no_standing(campaign, agency, worked, county_user):
    rate(campaign, agency, county_user, "removal", "弄虚作假")
    assert ReviewAgency.objects.get(pk=agency.pk).standing == AgencyStanding.REGISTERED


def test_the_citys_decision_cites_the_ratings_it_rests_on(
    campaign, agency, worked, county_user, city_user
):
    removal = rate(campaign, agency, county_user, "removal", "弄虚作假")
    decision = agency_standing_decide_on_ratings(
        agency=agency,
        decision="disqualify",
        reason="出具虚假报告",
        actor=city_user,
        ratings=[removal],
    )
    assert list(decision.ratings.all()) == [removal]
    assert AgencyRating.objects.get(pk=removal.pk).decided is DECIDED


def test_a_removed_agency_stays_removed_whatever_later_ratings_say(
    campaign, agency, worked, county_user, city_user
):
    removal = rate(campaign, agency, county_user, "removal", "屡改屡犯")
    agency_standing_decide_on_ratings(
        agency=agency, decision="remove", reason="屡改屡犯", actor=city_user, ratings=[removal]
    )
    good = rate(campaign, agency, county_user, "good", "履职良好")
    assert good.decided is PENDING
    agency.refresh_from_db()
    assert agency.standing == AgencyStanding.REMOVED
    # Citing the good rating can only be a decision the city takes, with its own reason.
    agency_standing_decide_on_ratings(
        agency=agency,
        decision="reinstate",
        reason="经市局复核，恢复在册",
        actor=city_user,
        ratings=[good],
    )
    agency.refresh_from_db()
    assert agency.standing == AgencyStanding.REGISTERED


def test_a_rating_of_another_agency_cannot_be_cited(
    campaign, agency, worked, county_user, city_user, firm
):
    other = AgencyFactory()
    review_in(other, firm, 2016)
    theirs = rate(campaign, other, county_user)
    with pytest.raises(ValidationError, match="不是对该机构的考评"):
        agency_standing_decide_on_ratings(
            agency=agency, decision="remove", reason="-", actor=city_user, ratings=[theirs]
        )
