"""公示 before 公告 (DOMAIN.md: "the confirming level publishes a 公示 (results open to
objection for a few working days) before the 公告 (the decision)"): objections are recorded
with the decision on each (upheld: back to review; dismissed: with the reason), and a 公告
lists a firm only when its 公示 period has passed with no objection open or upheld."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade, Status
from portal.audit import history_for
from portal.models import Notification
from portal.statemachine import TransitionRefused
from reviews.choices import AnnouncementKind, AnnouncementStatus, ObjectionStatus, ReviewStatus
from reviews.models import Objection, Review
from reviews.rules import objection_period_end
from reviews.selectors.announcements import announceable_certificates
from reviews.services.announcements import announcement_create, announcement_publish
from reviews.services.objections import objection_decide, objection_record
from reviews.workflows.announcements import OBJECTION
from tests.machines import assert_only_these_may, assert_refused_from_other_states, assert_table
from tests.reviews.factories_announcements import certified_firm

pytestmark = pytest.mark.django_db

PUBLICITY, ANNOUNCEMENT = AnnouncementKind.PUBLICITY, AnnouncementKind.ANNOUNCEMENT


@pytest.fixture
def days_later(monkeypatch):
    """Move the portal's today ``n`` days on (the clock is an edge: mocked, not the data)."""
    real = timezone.localdate

    def move(n: int):
        def localdate(value=None, timezone=None):
            if value is not None:
                return real(value, timezone)
            return real() + dt.timedelta(days=n)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return move


@pytest.fixture
def certify(zhifu, reference):
    def make(grade=Grade.PASS):
        return certified_firm(zhifu, reference["industries"][3], grade=grade)

    return make


def publicize(user, certificates, number="芝安监〔2016〕20号"):
    draft = announcement_create(
        actor=user,
        county=user.county,
        number=number,
        title="安全生产标准化达标企业公示",
        certificates=certificates,
        kind=PUBLICITY,
    )
    return announcement_publish(announcement=draft, actor=user)


def announce(user, certificates, number="芝安监〔2016〕21号"):
    draft = announcement_create(
        actor=user,
        county=user.county,
        number=number,
        title="安全生产标准化达标企业公告",
        certificates=certificates,
    )
    return announcement_publish(announcement=draft, actor=user)


def test_the_objection_period_is_five_working_days_after_publication():
    friday = dt.date(2016, 7, 1)
    assert objection_period_end(friday) == dt.date(2016, 7, 8)
    assert objection_period_end(dt.date(2016, 7, 4)) == dt.date(2016, 7, 11)  # a Monday
    assert objection_period_end(friday, days=7) == dt.date(2016, 7, 12)


def test_publishing_a_publicity_opens_its_period_and_tells_the_city(
    certify, county_user, city_user, settings
):
    settings.PUBLICITY_WORKING_DAYS = 3
    publicity = publicize(county_user, [certify()])
    assert publicity.status == AnnouncementStatus.PUBLISHED
    assert publicity.objection_until == objection_period_end(timezone.localdate(), 3)
    assert Notification.objects.filter(recipient=city_user, title__contains="发布公示").exists()
    firm = publicity.certificates.get().enterprise
    firm.refresh_from_db()
    assert firm.status == Status.CONFIRMED  # a 公示 decides nothing


def test_a_result_never_publicized_is_not_announced(certify, county_user):
    certificate = certify()
    assert not announceable_certificates(county=county_user.county).exists()
    with pytest.raises(ValidationError, match="未经公示，不能公告"):
        announce(county_user, [certificate])


def test_an_announcement_is_refused_during_the_publicity_period(certify, county_user):
    certificate = certify()
    publicity = publicize(county_user, [certificate])
    until = publicity.objection_until
    with pytest.raises(ValidationError, match=f"公示期至{until.year}年{until.month}月"):
        announce(county_user, [certificate])


def test_after_the_period_without_objection_the_announcement_goes_out(
    certify, county_user, days_later
):
    certificate = certify()
    publicity = publicize(county_user, [certificate])
    days_later((publicity.objection_until - timezone.localdate()).days + 1)
    assert list(announceable_certificates(county=county_user.county)) == [certificate]
    announce(county_user, [certificate])
    certificate.enterprise.refresh_from_db()
    assert certificate.enterprise.status == Status.ANNOUNCED


def test_a_result_is_publicized_once(certify, county_user):
    certificate = certify()
    publicize(county_user, [certificate])
    with pytest.raises(ValidationError, match="不是已确认且未公示的有效结果"):
        publicize(county_user, [certificate], number="芝安监〔2016〕22号")


# --- Objections -------------------------------------------------------------------------------


@pytest.fixture
def out(certify, county_user):
    """A 公示 of two firms, published today."""
    return publicize(county_user, [certify(), certify()])


def object_to(publicity, user, certificate=None, **kwargs):
    return objection_record(
        announcement=publicity,
        actor=user,
        certificate=certificate or publicity.certificates.first(),
        objector=kwargs.pop("objector", "王某（该企业职工）"),
        content=kwargs.pop("content", "企业未组织全员培训，培训记录系补签"),
        **kwargs,
    )


def test_an_open_objection_keeps_the_firm_out_of_the_announcement(out, county_user, days_later):
    objection = object_to(out, county_user)
    target, other = objection.certificate, out.certificates.exclude(pk=objection.certificate_id)[0]
    days_later(10)
    assert list(announceable_certificates(county=county_user.county)) == [other]
    with pytest.raises(ValidationError, match="公示异议尚未处理，不能公告"):
        announce(county_user, [target, other])


def test_a_dismissed_objection_needs_its_reason_and_then_lets_the_firm_be_announced(
    out, county_user, days_later
):
    objection = object_to(out, county_user)
    with pytest.raises(TransitionRefused, match="异议不成立须说明理由"):
        objection_decide(objection=objection, actor=county_user, upheld=False, decision=" ")
    objection_decide(
        objection=objection,
        actor=county_user,
        upheld=False,
        decision="经核查培训签到表及照片，培训属实",
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED and objection.decided_at
    days_later(10)
    announce(county_user, list(out.certificates.all()))
    entry = next(e for e in history_for(objection) if e.action == "异议不成立")
    assert entry.changes["status"] == ["待处理", "异议不成立"]


def test_an_upheld_objection_sends_the_result_back_for_review(
    out, county_user, days_later, make_user
):
    objection = object_to(out, county_user)
    certificate = objection.certificate
    firm = certificate.enterprise
    firm_user = make_user(role="enterprise", enterprise=firm)
    objection_decide(
        objection=objection, actor=county_user, upheld=True, decision="培训记录系补签，情况属实"
    )
    certificate.refresh_from_db()
    firm.refresh_from_db()
    assert certificate.revoked_at and certificate.revoke_source == "公示异议成立"
    assert firm.status == Status.APPLIED and not firm.certificate_no and not firm.grade
    redo = Review.objects.get(redo_of=certificate.review)
    assert redo.status == ReviewStatus.APPLIED and "培训记录系补签" in redo.redo_reason
    assert Notification.objects.filter(recipient=firm_user, title__contains="异议成立").exists()
    moves = [e.action for e in history_for(firm)]
    assert "退回重新评审" in moves
    days_later(10)
    with pytest.raises(ValidationError, match="公示异议成立，已退回重新评审"):
        announce(county_user, [certificate])
    # A second decision (a replayed click) changes nothing.
    with pytest.raises(TransitionRefused):
        objection_decide(objection=objection, actor=county_user, upheld=True, decision="再次")
    assert Review.objects.filter(redo_of=certificate.review).count() == 1


def test_an_objection_after_the_period_is_not_received(out, county_user, days_later):
    days_later((out.objection_until - timezone.localdate()).days + 1)
    with pytest.raises(ValidationError, match="异议期已于"):
        object_to(out, county_user)


def test_an_objection_names_a_firm_of_the_publicity(out, county_user, certify):
    with pytest.raises(ValidationError, match="不在本次公示之列"):
        object_to(out, county_user, certificate=certify())


def test_only_the_issuing_county_records_objections(out, make_user, fushan, city_user):
    for who in (make_user(role="county", county=fushan), city_user):
        with pytest.raises(PermissionDenied, match="发布公示的监管部门"):
            object_to(out, who)


# --- The objection's machine -------------------------------------------------------------------

TABLE = {
    "uphold": ({ObjectionStatus.OPEN}, ObjectionStatus.UPHELD),
    "dismiss": ({ObjectionStatus.OPEN}, ObjectionStatus.DISMISSED),
}


def test_the_objection_table_is_the_programmes():
    assert_table(OBJECTION, TABLE)


@pytest.mark.parametrize("name", list(TABLE))
def test_only_the_issuing_county_decides_an_objection(name, seats, out, county_user):
    assert_only_these_may(OBJECTION, name, object_to(out, county_user), seats, {"county"})


@pytest.mark.parametrize("name", list(TABLE))
def test_a_decided_objection_is_not_decided_again(name, out, county_user):
    assert_refused_from_other_states(OBJECTION, name, object_to(out, county_user), county_user)


# --- The pages ----------------------------------------------------------------------------------


def test_the_county_records_and_decides_an_objection_on_the_publicitys_page(out, county_user):
    client = Client()
    client.force_login(county_user)
    page = client.get(out.get_absolute_url()).content.decode()
    assert "登记异议" in page and "现予公示" in page
    certificate = out.certificates.first()
    response = client.post(
        reverse("reviews:objection_add", args=[out.pk]),
        {
            "certificate": certificate.pk,
            "objector": "匿名",
            "received_on": timezone.localdate().isoformat(),
            "content": "现场隐患未整改",
        },
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    url = reverse("reviews:objection_decide", args=[objection.pk])
    prefix = f"objection{objection.pk}"
    client.post(url, {f"{prefix}-version": objection.version, f"{prefix}-upheld": "0"})
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN  # no reason given: nothing decided
    client.post(
        url,
        {
            f"{prefix}-version": objection.version,
            f"{prefix}-upheld": "0",
            f"{prefix}-decision": "经复核，隐患已于现场整改，有照片为证",
        },
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    page = client.get(out.get_absolute_url()).content.decode()
    assert "异议不成立" in page and "有照片为证" in page


def test_the_public_site_shows_the_publicity_in_its_period(out, days_later):
    page = Client().get(reverse("reviews:public_list")).content.decode()
    assert "正在公示" in page and out.number in page
    assert out.certificates.first().enterprise.name in page
    days_later(30)
    assert out.number not in Client().get(reverse("reviews:public_list")).content.decode()
