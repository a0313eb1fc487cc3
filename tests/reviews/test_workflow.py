"""The firm's lifecycle machine: each transition only for its people, only from its states,
every refusal says why, and a replayed or raced transition applies once."""

import pytest

from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.audit import history_for
from portal.roles import Role
from portal.statemachine import TransitionRefused
from reviews.choices import ReviewStatus
from reviews.workflows.lifecycle import LIFECYCLE
from tests.factories import ReviewFactory
from tests.machines import (
    SYSTEM,
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

pytestmark = pytest.mark.django_db

PASSED = {Status.CONFIRMED, Status.ANNOUNCED}

# The table as the programme states it: name → (from, to), and who may take it.
EXPECTED = {
    "start_self_assessment": (
        {Status.LISTED, Status.EXPIRED, Status.REVOKED, Status.SELF_ASSESSING},
        Status.SELF_ASSESSING,
    ),
    "apply": ({Status.SELF_ASSESSING}, Status.APPLIED),
    "return_application": ({Status.APPLIED}, Status.SELF_ASSESSING),
    "assign": ({Status.APPLIED}, Status.UNDER_REVIEW),
    "list_nonconformities": ({Status.UNDER_REVIEW}, Status.RECTIFYING),
    # the agency taken off the list mid-review: the firm waits for another one
    "withdraw_assignment": ({Status.UNDER_REVIEW, Status.RECTIFYING}, Status.APPLIED),
    "conclude": ({Status.UNDER_REVIEW, Status.RECTIFYING}, Status.CONCLUDED),
    "confirm": ({Status.CONCLUDED}, Status.CONFIRMED),
    "reject_conclusion": ({Status.CONCLUDED}, Status.SELF_ASSESSING),
    "recommend": ({Status.CONCLUDED}, Status.RECOMMENDED),
    "announce": ({Status.CONFIRMED}, Status.ANNOUNCED),
    "send_back": (PASSED, Status.APPLIED),  # an upheld objection or the audit's re-review
    "revoke": (PASSED, Status.REVOKED),
    "expire": (PASSED, Status.EXPIRED),
}
FIRM, COUNTY, CITY, AGENCY, ADMIN = "firm", "county", "city", "agency", "admin"
WHO = {
    "start_self_assessment": {FIRM, ADMIN},
    "apply": {FIRM, ADMIN},
    "return_application": {COUNTY, ADMIN},
    "assign": {COUNTY, ADMIN},
    "list_nonconformities": {AGENCY, ADMIN},
    "withdraw_assignment": {COUNTY, ADMIN},
    "conclude": {AGENCY, ADMIN},
    "confirm": {COUNTY, ADMIN},
    "reject_conclusion": {COUNTY, ADMIN},
    "recommend": {CITY, ADMIN},
    "announce": {COUNTY, ADMIN},
    "send_back": {SYSTEM},  # moved by the objection's and the re-review's services
    "revoke": {CITY, COUNTY, ADMIN},
    "expire": {SYSTEM},
}


def test_the_table_is_the_programmes_lifecycle():
    assert_table(LIFECYCLE, EXPECTED)


@pytest.fixture
def users(seats, firm, agency):
    # The agency's lifecycle transitions belong to the agency reviewing the firm now.
    ReviewFactory(enterprise=firm, agency=agency, status=ReviewStatus.UNDER_REVIEW)
    return seats


@pytest.mark.parametrize("name", list(EXPECTED))
def test_everyone_else_is_refused_and_told_why(name, users, firm):
    assert_only_these_may(LIFECYCLE, name, firm, users, WHO[name])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_transition_is_refused_from_every_other_state(name, users, firm):
    who = sorted(WHO[name])[0]
    assert_refused_from_other_states(LIFECYCLE, name, firm, users[who])


def test_applying_without_a_submitted_self_assessment_is_refused_with_the_reason(users, firm):
    firm.status = Status.SELF_ASSESSING
    with pytest.raises(TransitionRefused, match="尚未提交自评"):
        LIFECYCLE.check(firm, "apply", actor=users[FIRM])


def test_assigning_without_an_agency_is_refused(users, firm):
    firm.status = Status.APPLIED
    with pytest.raises(TransitionRefused, match="未选择评审机构"):
        LIFECYCLE.check(firm, "assign", actor=users[COUNTY])


def test_a_transition_is_kept_in_the_firms_history(users, firm):
    Enterprise.objects.filter(pk=firm.pk).update(status=Status.CONFIRMED)
    firm.refresh_from_db()
    LIFECYCLE.apply(firm, "revoke", actor=users[CITY], note="抽查")
    entry = history_for(firm).get()
    assert entry.changes == {"status": ["已确认", "已撤销"]}
    assert entry.actor == users[CITY] and entry.note == "抽查"


def test_a_replayed_transition_changes_nothing(users, firm):
    Enterprise.objects.filter(pk=firm.pk).update(status=Status.CONFIRMED)
    page = Enterprise.objects.get(pk=firm.pk)  # what the second click's page was built from
    firm.refresh_from_db()
    LIFECYCLE.apply(firm, "revoke", actor=users[CITY])
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        LIFECYCLE.apply(page, "revoke", actor=users[CITY])
    assert history_for(firm).count() == 1


def test_allowed_lists_only_what_the_actor_may_do_now(users, firm):
    firm.status = Status.CONFIRMED
    names = {t.name for t in LIFECYCLE.allowed(firm, actor=users[COUNTY])}
    assert names == {"announce", "revoke"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_revocations_at_once_apply_once(reference, make_enterprise, make_user):
    firm = make_enterprise(status=Status.CONFIRMED)
    city = make_user(role=Role.CITY)

    def revoke():
        LIFECYCLE.apply(Enterprise.objects.get(pk=firm.pk), "revoke", actor=city)

    assert race(revoke) == ["TransitionRefused", "ok"]
    assert history_for(firm).count() == 1
