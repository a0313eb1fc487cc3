"""The announcement machine: only the announcement's county edits and publishes it, only a
draft; publishing is refused, with the reason, for an empty list, a grade the county does not
announce and a county-year the city holds; a replayed or raced publication applies once."""

import datetime as dt

import pytest
from django.utils import timezone

from enterprises.choices import Grade, Status
from enterprises.models import Enterprise
from portal.audit import history_for
from portal.roles import Role
from portal.statemachine import TransitionRefused
from reviews.choices import AnnouncementStatus
from reviews.models import Announcement, ResultHold
from reviews.services.announcements import announcement_publish
from reviews.services.certificates import certificate_revoke, expire_grades
from reviews.workflows.announcements import ANNOUNCEMENT
from tests.machines import (
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)
from tests.reviews.factories_announcements import announcement, certified_firm

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED = AnnouncementStatus.DRAFT, AnnouncementStatus.PUBLISHED
EXPECTED = {
    "edit": ({DRAFT}, DRAFT),
    "publicize": ({DRAFT}, PUBLISHED),  # 公示: its objection period opens
    "publish": ({DRAFT}, PUBLISHED),  # 公告: only after a 公示 passed cleanly
}
COUNTY = "county"
# The county issues the document; the city receives it, an administrator does not sign it.
WHO = {"edit": {COUNTY}, "publicize": {COUNTY}, "publish": {COUNTY}}


def test_the_table_is_the_programmes_announcement():
    assert_table(ANNOUNCEMENT, EXPECTED)


@pytest.fixture
def machinery(reference):
    return reference["industries"][3]


@pytest.fixture
def certify(zhifu, machinery):
    def make(grade=Grade.PASS, **kwargs):
        return certified_firm(zhifu, machinery, grade=grade, publicized=True, **kwargs)

    return make


@pytest.fixture
def users(seats):
    return seats


@pytest.fixture
def draft(zhifu, county_user, certify):
    return announcement(zhifu, county_user, [certify(), certify(Grade.LEVEL3)])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_everyone_else_is_refused_and_told_why(name, users, draft):
    assert_only_these_may(ANNOUNCEMENT, name, draft, users, WHO[name])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_transition_is_refused_from_every_other_state(name, users, draft):
    assert_refused_from_other_states(ANNOUNCEMENT, name, draft, users[COUNTY])


def test_an_announcement_listing_no_firm_is_not_published(zhifu, users):
    empty = announcement(zhifu, users[COUNTY], [])
    with pytest.raises(TransitionRefused, match="未列入任何企业"):
        ANNOUNCEMENT.check(empty, "publish", actor=users[COUNTY])


def test_a_higher_grade_is_not_published_by_the_county(zhifu, users, certify):
    listed = announcement(zhifu, users[COUNTY], [certify(), certify(Grade.LEVEL2)])
    with pytest.raises(TransitionRefused, match="二级由省级或国家公告"):
        ANNOUNCEMENT.check(listed, "publish", actor=users[COUNTY])


def test_a_held_county_year_is_not_published(zhifu, users, draft):
    ResultHold.objects.create(county=zhifu, year=2016, reason="抽查审核误差率35%")
    with pytest.raises(TransitionRefused, match="2016年度评定结果被市局抽查审核暂缓公告"):
        ANNOUNCEMENT.check(draft, "publish", actor=users[COUNTY])
    assert "publish" not in {t.name for t in ANNOUNCEMENT.allowed(draft, actor=users[COUNTY])}


def test_a_released_hold_allows_publication(zhifu, users, draft):
    ResultHold.objects.create(county=zhifu, year=2016, reason="x", released_at=timezone.now())
    assert ANNOUNCEMENT.refusal(draft, "publish", actor=users[COUNTY]) is None


def test_publishing_moves_every_listed_firm_and_keeps_both_histories(users, draft):
    announcement_publish(announcement=draft, actor=users[COUNTY])
    entry = history_for(draft).get()
    assert entry.action == "发布公告并报市局" and entry.changes["status"] == ["草稿", "已发布"]
    for certificate in draft.certificates.all():
        firm = Enterprise.objects.get(pk=certificate.enterprise_id)
        assert firm.status == Status.ANNOUNCED
        assert history_for(firm).get().note == f"公告文号：{draft.number}"


def test_a_replayed_publication_changes_nothing(users, draft):
    page = Announcement.objects.get(pk=draft.pk)
    announcement_publish(announcement=draft, actor=users[COUNTY])
    with pytest.raises(TransitionRefused):  # its firms are announced already, or it is claimed
        announcement_publish(announcement=page, actor=users[COUNTY])
    assert history_for(draft).count() == 1  # the claim itself: the race test below


def test_a_grade_revoked_after_drafting_refuses_the_whole_publication(users, draft):
    first = draft.certificates.order_by("pk").first()
    certificate_revoke(certificate=first, actor=users["city"], reason="抽查", source="抽查审核")
    with pytest.raises(TransitionRefused):
        announcement_publish(announcement=draft, actor=users[COUNTY])
    draft.refresh_from_db()
    assert draft.status == DRAFT
    assert not Enterprise.objects.filter(status=Status.ANNOUNCED).exists()


# --- Races on PostgreSQL -------------------------------------------------------------------------


def _world(reference, make_user, firms=1):
    zhifu = next(c for c in reference["counties"] if c.name == "芝罘区")
    county_user = make_user(role=Role.COUNTY, county=zhifu)
    machinery = reference["industries"][3]
    certificates = [certified_firm(zhifu, machinery, publicized=True) for _ in range(firms)]
    return zhifu, county_user, certificates


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_apply_once(reference, make_user):
    zhifu, county_user, certificates = _world(reference, make_user, firms=2)
    draft = announcement(zhifu, county_user, certificates)

    def publish():
        announcement_publish(announcement=Announcement.objects.get(pk=draft.pk), actor=county_user)

    assert race(publish) == ["TransitionRefused", "ok"]
    assert history_for(draft).count() == 1
    for certificate in certificates:
        assert [e.action for e in history_for(certificate.enterprise)] == ["公告"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_revocations_of_a_certificate_at_once_apply_once(reference, make_user):
    _, _, [certificate] = _world(reference, make_user)
    city = make_user(role=Role.CITY)

    def revoke():
        certificate_revoke(
            certificate=type(certificate).objects.get(pk=certificate.pk),
            actor=city,
            reason="抽查不合格",
            source="抽查审核",
        )

    assert race(revoke) == ["TransitionRefused", "ok"]
    assert [e.action for e in history_for(certificate)] == ["撤销等级证书"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_expiry_runs_at_once_expire_each_firm_once(reference, make_user):
    _, _, certificates = _world(reference, make_user, firms=3)
    counts = []

    def run():
        counts.append(expire_grades(today=dt.date(2019, 6, 30)))

    assert race(run) == ["ok", "ok"]
    assert sum(counts) == 3
    for certificate in certificates:
        firm = Enterprise.objects.get(pk=certificate.enterprise_id)
        assert firm.status == Status.EXPIRED
        assert [e.action for e in history_for(firm)] == ["等级到期", "等级到期"]  # status, grade
