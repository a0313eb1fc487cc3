"""Every step of the path tells the people whose turn it now is, and only them, with the link
to the object and why they got it (``reviews.events``). The world has one user of every role,
and a second county, firm and agency, so "only them" is seen against everyone else."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import MailOptOut, Notification
from reviews.services import agencies, announcements, certificates, holds
from reviews.services import review as services
from reviews.services.certificates import RevokeSource
from tests.reviews import factories_announcements as fa
from tests.reviews import factories_review

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


def told(kind: str) -> set:
    """Who received notifications of ``kind``."""
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def only(*users) -> set:
    return {u.pk for u in users}


def the(kind: str) -> Notification:
    return Notification.objects.filter(kind=kind).latest("pk")


@pytest.fixture
def world(review_world):
    return review_world


@pytest.fixture
def nonconformity(world):
    review = world.scored({0: 5})
    return services.nonconformity_add(
        review=review,
        actor=world.agency_user,
        item=world.standard.items.first(),
        description="未建立全员安全生产责任制",
        deadline=dt.date.today() + dt.timedelta(days=20),
    )


def test_an_application_tells_its_county_and_links_to_the_queue(world):
    world.apply()
    assert told("reviews.application_received") == only(world.county_user)
    note = the("reviews.application_received")
    assert note.url == "/reviews/applications/" and "申请评审" in note.title and note.reason


def test_a_returned_application_tells_the_firm_with_the_reason(world):
    review = world.apply()
    services.review_return(review=review, actor=world.county_user, reason="自评材料不全")
    assert told("reviews.application_returned") == only(world.firm_user)
    note = the("reviews.application_returned")
    assert "自评材料不全" in note.body and note.url == review.get_absolute_url()


def test_an_assignment_tells_the_firm_and_sends_the_letter_to_the_agency(world):
    review = world.assigned()
    assert told("reviews.application_accepted") == only(world.firm_user)
    assert told("reviews.assignment_letter") == only(world.agency_user)
    letter = the("reviews.assignment_letter")
    assert letter.url == f"/reviews/{review.pk}/letter/" and review.assignment_no in letter.title


def test_a_nonconformity_tells_the_firm_its_next_step_and_deadline(world, nonconformity):
    assert told("reviews.nonconformity_raised") == only(world.firm_user)
    note = the("reviews.nonconformity_raised")
    d = nonconformity.deadline
    assert note.title == f"1项不符合项待整改，期限{d.year}年{d.month}月{d.day}日"
    assert note.url == nonconformity.review.get_absolute_url()


def test_an_answer_tells_the_agency(world, nonconformity):
    services.nonconformity_answer(
        nonconformity=nonconformity, actor=world.firm_user, response="已整改"
    )
    assert told("reviews.nonconformity_answered") == only(world.agency_user)


@pytest.mark.parametrize(("accepted", "kind"), [(True, "accepted"), (False, "rejected")])
def test_the_agencys_verdict_tells_the_firm(world, nonconformity, accepted, kind):
    services.nonconformity_answer(
        nonconformity=nonconformity, actor=world.firm_user, response="已整改"
    )
    services.nonconformity_verify(
        nonconformity=nonconformity, actor=world.agency_user, accepted=accepted, comment="见意见"
    )
    assert told(f"reviews.nonconformity_{kind}") == only(world.firm_user)


def test_a_conclusion_tells_the_county_to_confirm_and_the_firm_of_its_result(world):
    review = world.scored()
    services.review_conclude(review=review, actor=world.agency_user)
    assert told("reviews.review_concluded_county") == only(world.county_user)
    assert told("reviews.review_concluded_firm") == only(world.firm_user)
    assert the("reviews.review_concluded_county").url == f"/reviews/{review.pk}/report/"


def test_a_confirmation_tells_the_firm_its_certificate_is_issued(world):
    review = fa.concluded_review(world.firm)
    certificates.review_confirm(review=review, actor=world.county_user)
    assert told("reviews.review_confirmed") == only(world.firm_user)
    assert "等级证书已颁发" in the("reviews.review_confirmed").title


def test_a_published_announcement_tells_the_city_and_the_listed_firms(world, zhifu):
    listed = fa.confirmed_certificate(world.firm, issued_on=timezone.localdate())
    fa.passed_publicity(zhifu, [listed])  # 公示 first, its period over
    draft = fa.announcement(zhifu, world.county_user, [listed])
    announcements.announcement_publish(announcement=draft, actor=world.county_user)
    assert told("reviews.announcement_published_city") == only(world.city_user)
    assert told("reviews.announcement_published_firm") == only(world.firm_user)


def test_a_revocation_tells_the_firm_and_its_county(world):
    certificate = fa.confirmed_certificate(world.firm, issued_on=timezone.localdate())
    certificates.certificate_revoke(
        certificate=certificate, actor=world.city_user, reason="弄虚作假", source=RevokeSource.OTHER
    )
    assert told("reviews.grade_revoked") == only(world.firm_user, world.county_user)
    assert "弄虚作假" in the("reviews.grade_revoked").body


def test_a_suspension_tells_the_firm_and_its_county(world):
    certificate = fa.confirmed_certificate(world.firm, issued_on=timezone.localdate())
    assert certificates.certificate_suspend(
        certificate=certificate, actor=world.city_user, reason="抽查审核误差"
    )
    assert told("reviews.certificate_suspended") == only(world.firm_user, world.county_user)


def test_a_hold_and_its_release_tell_the_county(world, zhifu):
    holds.result_hold_place(county=zhifu, year=2016, reason="误差率35%", actor=world.city_user)
    assert told("reviews.hold_placed") == only(world.county_user)
    holds.result_hold_release(county=zhifu, year=2016, actor=world.city_user, note="再次审核合格")
    assert told("reviews.hold_released") == only(world.county_user)


def test_a_removal_tells_the_agency_once(world):
    agencies.agency_standing_decide(
        agency=world.agency, decision="remove", reason="屡改屡犯，予以清除", actor=world.city_user
    )
    with pytest.raises(ValidationError):  # a replayed decision changes nothing, tells no one
        agencies.agency_standing_decide(
            agency=world.agency, decision="remove", reason="屡改屡犯", actor=world.city_user
        )
    assert told("reviews.agency_standing_changed") == only(world.agency_user)
    assert Notification.objects.filter(kind="reviews.agency_standing_changed").count() == 1


# --- E-mail: for those who must act, after commit, unless turned off -----------------------


def test_mail_goes_to_those_who_must_act_after_commit(world, django_capture_on_commit_callbacks):
    world.county_user.email = "county@example.cn"
    world.county_user.save()
    world.firm_user.email = "firm@example.cn"
    world.firm_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        world.assigned()  # the firm is told in the bell only: it has nothing to do yet
    assert [m.to for m in mail.outbox] == [["county@example.cn"]]  # the application


def test_a_user_may_turn_off_the_mail_of_one_kind(world, django_capture_on_commit_callbacks):
    world.county_user.email = "county@example.cn"
    world.county_user.save()
    MailOptOut.objects.create(user=world.county_user, kind="reviews.application_received")
    with django_capture_on_commit_callbacks(execute=True):
        world.apply()
    assert mail.outbox == []
    assert told("reviews.application_received") == only(world.county_user)  # the bell still


def test_nobody_is_told_of_their_own_action(world, zhifu, make_user):
    city = world.city_user
    holds.result_hold_place(county=zhifu, year=2016, reason="误差率35%", actor=city)
    assert not Notification.objects.filter(recipient=city).exists()


def test_a_failing_confirmation_says_so(world):
    review = fa.concluded_review(world.firm, result="", score="50.0")
    certificates.review_confirm(review=review, actor=world.county_user)
    assert "未达标" in the("reviews.review_confirmed").title
