"""An agency taken off the list (清除, 取消资格) mid-review: its open assignments are listed for
the firm's county, which withdraws the assignment (the review kept, 已撤回) and assigns the
firm's application to another agency on the usual page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.statemachine import TransitionRefused
from reports.services.reminders import send_reminders
from reviews.choices import Funding, ReviewStatus
from reviews.models import Review
from reviews.services import review as services
from reviews.services.agencies import agency_standing_decide
from tests.reviews import factories_review

pytestmark = pytest.mark.django_db

review_world = factories_review.review_world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def removed(w, decision="remove"):
    agency_standing_decide(agency=w.agency, decision=decision, reason="屡改屡犯", actor=w.city_user)


@pytest.fixture
def rectifying(review_world):
    """The agency has raised a nonconformity: the review and the firm are in rectification."""
    w = review_world
    review = w.with_team()
    item = w.standard.items.order_by("order").first()
    services.nonconformity_add(
        review=review, actor=w.agency_user, item=item, description="未建立隐患排查台账",
        deadline=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    review.refresh_from_db()
    return review


def test_a_removed_agencys_review_is_withdrawn_and_the_firm_waits_for_another(
    review_world, rectifying
):
    w = review_world
    removed(w)
    again = services.review_withdraw(review=rectifying, actor=w.county_user)
    assert Review.objects.get(pk=rectifying.pk).status == ReviewStatus.CANCELLED
    assert (again.status, again.agency, again.self_assessment) == (
        ReviewStatus.APPLIED,
        None,
        rectifying.self_assessment,
    )
    assert Enterprise.objects.get(pk=w.firm.pk).status == Status.APPLIED
    other = w.extra["other_agency"]
    services.review_assign(
        review=again, actor=w.county_user, agency=other, funding=Funding.GOVERNMENT
    )
    assert Review.objects.get(pk=again.pk).agency == other
    assert Enterprise.objects.get(pk=w.firm.pk).status == Status.UNDER_REVIEW


def test_a_disqualified_agencys_review_is_withdrawn_too(review_world):
    w = review_world
    review = w.assigned()
    removed(w, "disqualify")
    services.review_withdraw(review=review, actor=w.county_user)
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.CANCELLED


def test_a_removed_agency_concludes_nothing_more(review_world):
    w = review_world
    review = w.scored()
    removed(w)
    with pytest.raises(TransitionRefused, match="已不在动态名单内"):
        services.review_conclude(review=review, actor=w.agency_user)
    assert Review.objects.get(pk=review.pk).status == review.status
    assert Review.objects.get(pk=review.pk).concluded_at is None
    page = client_for(w.agency_user).get(f"/reviews/{review.pk}/").content.decode()
    assert "已不在动态名单内" in page  # said beside the (disabled) button, not only on a click


def test_an_agency_on_the_list_keeps_its_assignment(review_world):
    w = review_world
    review = w.assigned()
    agency_standing_decide(
        agency=w.agency, decision="warn", reason="重收费", actor=w.city_user, problem="fees",
        requirements="退费", deadline=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    with pytest.raises(TransitionRefused, match="仍在动态名单内"):
        services.review_withdraw(review=review, actor=w.county_user)
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.ASSIGNED


def test_only_the_firms_county_withdraws(review_world):
    w = review_world
    review = w.assigned()
    removed(w)
    for someone in (w.other_county_user, w.agency_user, w.firm_user):
        with pytest.raises(PermissionDenied):
            services.review_withdraw(review=review, actor=someone)


def test_a_withdrawal_replayed_changes_nothing(review_world):
    w = review_world
    review = w.assigned()
    removed(w)
    stale = Review.objects.get(pk=review.pk)
    services.review_withdraw(review=review, actor=w.county_user)
    with pytest.raises(TransitionRefused):
        services.review_withdraw(review=stale, actor=w.county_user)
    assert Review.objects.filter(enterprise=w.firm, status=ReviewStatus.APPLIED).count() == 1


def test_a_withdrawn_reviews_nonconformities_are_no_longer_reminded(review_world, rectifying):
    w = review_world
    removed(w)
    services.review_withdraw(review=rectifying, actor=w.county_user)
    deadline = rectifying.nonconformities.get().deadline
    assert send_reminders(today=deadline)["nonconformity"] == 0


def test_the_county_withdraws_from_its_list_and_assigns_on_the_usual_page(review_world):
    w = review_world
    review = w.assigned()
    removed(w)
    county = client_for(w.county_user)
    page = county.get("/reviews/agencies/reassign/").content.decode()
    assert w.firm.name in page and f"/reviews/{review.pk}/withdraw/" in page
    assert "待重新委派的评审" in county.get("/todo/").content.decode()
    assert (
        f"/reviews/{review.pk}/withdraw/" in county.get(f"/reviews/{review.pk}/").content.decode()
    )
    response = county.post(f"/reviews/{review.pk}/withdraw/")
    again = Review.objects.get(enterprise=w.firm, status=ReviewStatus.APPLIED)
    assert response.status_code == 302 and response["Location"] == f"/reviews/{again.pk}/assign/"
    assert w.firm.name not in county.get("/reviews/agencies/reassign/").content.decode()
    city_page = client_for(w.city_user).get("/reviews/agencies/reassign/").content.decode()
    assert "/withdraw/" not in city_page


def test_the_lists_count_each_reviews_open_and_answered_nonconformities(review_world, rectifying):
    from reviews.selectors.review import review_list

    w = review_world
    second = services.nonconformity_add(
        review=rectifying, actor=w.agency_user, item=w.standard.items.order_by("order")[1],
        description="应急预案未演练", deadline=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    services.nonconformity_answer(nonconformity=second, actor=w.firm_user, response="已演练")
    shown = review_list(user=w.agency_user, params={}).get(pk=rectifying.pk)
    assert (shown.open_nonconformities, shown.answered_nonconformities) == (2, 1)
