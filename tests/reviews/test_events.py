"""Every step of the path tells the people whose turn it now is, and only them, with the link
to the object and why they got it (``reviews.events``). The world has one user of every role,
and a second county, firm and agency, so "only them" is seen against everyone else."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from enterprises.choices import Grade
from portal.models import MailOptOut, Notification
from reviews.choices import AnnouncementKind
from reviews.services import agencies, announcements, certificates, holds, objections
from reviews.services import review as services
from reviews.services.certificates import RevokeSource
from tests.factories import UserFactory
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


def publicized(world, *certificates):
    draft = announcements.announcement_create(
        actor=world.county_user,
        county=world.firm.county,
        number="芝安监〔2016〕20号",
        title="安全生产标准化达标企业公示",
        certificates=list(certificates),
        kind=AnnouncementKind.PUBLICITY,
    )
    return announcements.announcement_publish(announcement=draft, actor=world.county_user)


def test_a_published_publicity_tells_the_city_and_the_listed_firms(world):
    listed = fa.confirmed_certificate(world.firm, issued_on=timezone.localdate())
    publicity = publicized(world, listed)
    assert told("reviews.publicity_published_city") == only(world.city_user)
    assert told("reviews.publicity_published_firm") == only(world.firm_user)
    note = the("reviews.publicity_published_firm")
    until = publicity.objection_until
    assert note.title.endswith(f"异议期至{until.year}年{until.month}月{until.day}日")
    assert note.url == "/reviews/public/"  # a firm does not read the county's documents
    assert the("reviews.publicity_published_city").url == publicity.get_absolute_url()


@pytest.mark.parametrize(("grade", "city_told"), [(Grade.PASS, False), (Grade.LEVEL3, True)])
def test_an_objection_tells_the_level_that_confirmed_the_result(world, zhifu, grade, city_told):
    """The issuing county decides it (the colleague of whoever recorded it is told); a result
    the city confirmed (三级) brings the city in too. The firm is not told of an objection."""
    colleague = UserFactory(role="county", county=zhifu)
    listed = fa.confirmed_certificate(world.firm, grade=grade, issued_on=timezone.localdate())
    publicity = publicized(world, listed)
    objections.objection_record(
        announcement=publicity,
        actor=world.county_user,
        certificate=listed,
        objector="王某（该企业职工）",
        content="培训记录系补签",
    )
    expected = [colleague, world.city_user] if city_told else [colleague]
    assert told("reviews.objection_filed") == only(*expected)
    note = the("reviews.objection_filed")
    assert world.firm.name in note.title and note.body == "培训记录系补签"
    assert note.url == publicity.get_absolute_url()


def test_an_upheld_objection_tells_the_firm_its_result_goes_back(world):
    listed = fa.confirmed_certificate(world.firm, issued_on=timezone.localdate())
    publicity = publicized(world, listed)
    objection = objections.objection_record(
        announcement=publicity,
        actor=world.county_user,
        certificate=listed,
        objector="王某",
        content="培训记录系补签",
    )
    objections.objection_decide(
        objection=objection, actor=world.county_user, upheld=True, decision="情况属实"
    )
    assert told("reviews.objection_upheld") == only(world.firm_user)
    note = the("reviews.objection_upheld")
    assert note.body == "情况属实" and note.url.startswith("/reviews/")


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


def test_lifting_a_suspension_tells_the_firm_and_its_county(world):
    certificate = fa.confirmed_certificate(world.firm, issued_on=timezone.localdate())
    certificates.certificate_suspend(
        certificate=certificate, actor=world.city_user, reason="抽查审核误差"
    )
    assert certificates.certificate_lift_suspension(
        certificate=certificate, actor=world.city_user, reason="复核后审核结论不成立"
    )
    assert told("reviews.suspension_lifted") == only(world.firm_user, world.county_user)
    assert the("reviews.suspension_lifted").body == "复核后审核结论不成立"


def test_re_reviews_of_a_held_year_tell_the_county(world, zhifu):
    fa.confirmed_certificate(world.firm, issued_on=timezone.localdate())
    hold = holds.result_hold_place(
        county=zhifu, year=timezone.localdate().year, reason="误差率35%", actor=world.city_user
    )
    assert holds.re_reviews_open(hold=hold, actor=world.city_user)
    assert told("reviews.re_reviews_opened") == only(world.county_user)
    note = the("reviews.re_reviews_opened")
    assert "（1家）" in note.title and note.url == "/reviews/re-reviews/"


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


def test_a_warning_tells_the_agency_its_deadline_and_reminds_it_before(world):
    from reports.services.reminders import send_reminders
    from reviews.rules import WARNING_REMINDER_DAYS_BEFORE

    deadline = timezone.localdate() + dt.timedelta(days=20)
    agencies.agency_standing_decide(
        agency=world.agency, decision="warn", reason="重收费、轻服务", actor=world.city_user,
        problem="fees", requirements="退还多收费用", deadline=deadline,
    )  # fmt: skip
    assert told("reviews.agency_warned") == only(world.agency_user)
    assert f"整改期限{deadline:%Y年%m月%d日}" in the("reviews.agency_warned").title
    send_reminders(today=deadline - dt.timedelta(days=WARNING_REMINDER_DAYS_BEFORE))
    assert told("reports.reminder_agency_warning") == only(world.agency_user)


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
