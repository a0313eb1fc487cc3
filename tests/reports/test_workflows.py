"""The two machines of the reports app, as tables: a county's yearly target (entered, submitted,
accepted and locked, or returned) and a county's document for one deadline (owed, handed in on
time or late, accepted or returned). Each transition only for its people, only from its states,
every refusal says why, and a replayed or raced transition applies once."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.audit import history_for
from portal.roles import Role
from portal.statemachine import TransitionRefused
from reports.choices import SubmissionStatus as S
from reports.choices import TargetStatus as T
from reports.models import CountyTarget, Submission
from reports.services import submissions, targets
from reports.workflows import SUBMISSION, TARGET
from tests.factories import UserFactory
from tests.machines import (
    SYSTEM,
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

from .conftest import PDF

pytestmark = pytest.mark.django_db
D = dt.date
CITY, COUNTY, ADMIN = "city", "county", "admin"

TARGET_TABLE = {
    "revise": ({T.DRAFT, T.RETURNED}, T.DRAFT),
    "submit": ({T.DRAFT, T.RETURNED}, T.SUBMITTED),
    "accept": ({T.SUBMITTED}, T.ACCEPTED),
    "return": ({T.SUBMITTED}, T.RETURNED),
}
TARGET_WHO = {
    "revise": {COUNTY},
    "submit": {COUNTY},
    "accept": {CITY, ADMIN},
    "return": {CITY, ADMIN},
}
OPEN = {S.NOT_SUBMITTED, S.SUBMITTED, S.LATE, S.RETURNED}
SUBMISSION_TABLE = {
    "upload": (OPEN, S.SUBMITTED),
    "upload_late": (OPEN, S.LATE),
    "accept": ({S.SUBMITTED, S.LATE}, S.ACCEPTED),
    "return": ({S.SUBMITTED, S.LATE}, S.RETURNED),
    "deadline_moved_late": ({S.SUBMITTED}, S.LATE),
    "deadline_moved_on_time": ({S.LATE}, S.SUBMITTED),
}
SUBMISSION_WHO = {
    "upload": {COUNTY},
    "upload_late": {COUNTY},
    "accept": {CITY, ADMIN},
    "return": {CITY, ADMIN},
    "deadline_moved_late": {CITY, ADMIN},
    "deadline_moved_on_time": {CITY, ADMIN},
}


def test_the_target_table_is_enter_submit_then_accept_or_return():
    assert_table(TARGET, TARGET_TABLE)


def test_the_submission_table_is_hand_in_then_accept_or_return():
    assert_table(SUBMISSION, SUBMISSION_TABLE)


@pytest.fixture
def users(reference, zhifu, fushan, firm, agency, county_staff):
    return {
        CITY: UserFactory(role=Role.CITY),
        COUNTY: county_staff,
        "other county": UserFactory(role=Role.COUNTY, county=fushan),
        "firm": UserFactory(role=Role.ENTERPRISE, enterprise=firm),
        "agency": UserFactory(role=Role.AGENCY, agency=agency),
        ADMIN: UserFactory(role=Role.ADMIN),
        SYSTEM: None,
    }


YEAR_END = ((D(2016, 12, 31), 5),)


def save_target(user, county, milestones=YEAR_END):
    return targets.target_save(
        actor=user, county=county, year=2016, listed_count=10, milestones=list(milestones)
    )


@pytest.fixture
def target(county_staff, zhifu):
    return save_target(county_staff, zhifu)


@pytest.mark.parametrize("name", list(TARGET_TABLE))
def test_a_target_transition_is_refused_to_everyone_else_with_a_reason(name, users, target):
    assert_only_these_may(TARGET, name, target, users, TARGET_WHO[name])


@pytest.mark.parametrize("name", list(TARGET_TABLE))
def test_a_target_transition_is_refused_from_every_other_state(name, users, target):
    assert_refused_from_other_states(TARGET, name, target, users[sorted(TARGET_WHO[name])[0]])


@pytest.mark.parametrize("name", list(SUBMISSION_TABLE))
def test_a_submission_transition_is_refused_to_everyone_else_with_a_reason(name, users, zhifu_plan):
    assert_only_these_may(SUBMISSION, name, zhifu_plan, users, SUBMISSION_WHO[name])


@pytest.mark.parametrize("name", list(SUBMISSION_TABLE))
def test_a_submission_transition_is_refused_from_every_other_state(name, users, zhifu_plan):
    who = users[sorted(SUBMISSION_WHO[name])[0]]
    assert_refused_from_other_states(SUBMISSION, name, zhifu_plan, who)


def test_a_target_without_milestones_cannot_be_submitted(users, zhifu):
    empty = CountyTarget.objects.create(county=zhifu, year=2016)
    with pytest.raises(TransitionRefused, match="请先填写时间节点"):
        TARGET.check(empty, "submit", actor=users[COUNTY])


def test_the_city_sees_accept_and_return_only_once_the_target_is_submitted(users, target):
    assert not TARGET.allowed(target, actor=users[CITY])
    target = targets.target_submit(actor=users[COUNTY], target=target)
    assert {t.name for t in TARGET.allowed(target, actor=users[CITY])} == {"accept", "return"}
    assert not TARGET.allowed(target, actor=users[COUNTY])


def test_a_returned_target_is_kept_in_its_history_with_the_reason(users, target):
    target = targets.target_submit(actor=users[COUNTY], target=target)
    targets.target_return(actor=users[CITY], target=target, reason="节点太晚")
    entry = history_for(target).first()
    assert entry.action == "退回目标" and entry.note == "节点太晚"
    assert entry.changes["status"] == ["已提交待审", "已退回"]


def test_a_replayed_return_after_acceptance_is_refused(users, target):
    target = targets.target_submit(actor=users[COUNTY], target=target)
    page = CountyTarget.objects.get(pk=target.pk)  # what the second click's page was built from
    targets.target_accept(actor=users[CITY], target=target)
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        targets.target_return(actor=users[CITY], target=page, reason="再改改")
    target.refresh_from_db()
    assert target.status == T.ACCEPTED and target.return_reason == ""


def test_a_stale_target_form_is_refused_and_changes_nothing(users, target):
    stale = target.version
    save_target(users[COUNTY], target.county, [(D(2016, 12, 31), 8)])
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        targets.target_save(
            actor=users[COUNTY], county=target.county, year=2016, listed_count=10,
            milestones=[(D(2016, 12, 31), 9)], expected_version=stale,
        )  # fmt: skip
    assert target.county.targets.get(year=2016).year_target == 8


def test_a_replayed_acceptance_of_a_document_changes_nothing(users, zhifu_plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    sub = submissions.submission_upload(actor=users[COUNTY], submission=zhifu_plan, document=pdf)
    page = Submission.objects.get(pk=sub.pk)
    submissions.submission_accept(actor=users[CITY], submission=sub)
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        submissions.submission_accept(actor=users[CITY], submission=page)
    assert [e.action for e in history_for(sub)] == ["接收", "上报材料"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_acceptances_of_a_target_at_once_apply_once(reference, zhifu, make_user):
    county = make_user(role=Role.COUNTY, county=zhifu)
    city = make_user(role=Role.CITY)
    target = targets.target_submit(actor=county, target=save_target(county, zhifu))

    def accept():
        targets.target_accept(actor=city, target=CountyTarget.objects.get(pk=target.pk))

    assert race(accept) == ["TransitionRefused", "ok"]
    assert [e.action for e in history_for(target)] == ["审定目标", "提交目标", "填报目标"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_acceptance_and_a_return_at_once_leave_one_decision(reference, zhifu, make_user):
    county = make_user(role=Role.COUNTY, county=zhifu)
    city = make_user(role=Role.CITY)
    target = targets.target_submit(actor=county, target=save_target(county, zhifu))
    moves = [
        lambda t: targets.target_accept(actor=city, target=t),
        lambda t: targets.target_return(actor=city, target=t, reason="节点太晚"),
    ]

    def decide():
        moves.pop()(CountyTarget.objects.get(pk=target.pk))  # each thread takes one decision

    assert race(decide) == ["TransitionRefused", "ok"]
    target.refresh_from_db()
    assert target.status in (T.ACCEPTED, T.RETURNED)
    assert history_for(target).count() == 3
