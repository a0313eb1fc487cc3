# ruff: noqa: F811 - fixtures are imported from tests.reviews.fixtures_assessment
"""The self-assessment machine: only the firm's own user edits and submits, only a draft, every
refusal says why, and a replayed or raced submission applies once."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.audit import history_for
from portal.statemachine import TransitionRefused
from reviews.choices import AssessmentStatus
from reviews.models import SelfAssessment
from reviews.services import assessment as services
from reviews.workflows.assessment import SELF_ASSESSMENT
from tests.machines import (
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)
from tests.reviews.fixtures_assessment import (  # noqa: F401
    ON_DATE,
    assessment,
    listed_firm,
    standards,
)

pytestmark = pytest.mark.django_db

DRAFT, SUBMITTED = AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED
EXPECTED = {
    "edit": ({DRAFT}, DRAFT),
    "submit": ({DRAFT}, SUBMITTED),
}
FIRM = "firm"
# A self-assessment is the firm's own statement: not even an administrator writes it.
WHO = {"edit": {FIRM}, "submit": {FIRM}}


def test_the_table_is_the_programmes_self_assessment():
    assert_table(SELF_ASSESSMENT, EXPECTED)


@pytest.fixture
def users(seats):
    return seats


@pytest.mark.parametrize("name", list(EXPECTED))
def test_everyone_else_is_refused_and_told_why(name, users, assessment):
    assert_only_these_may(SELF_ASSESSMENT, name, assessment, users, WHO[name])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_transition_is_refused_from_every_other_state(name, users, assessment):
    assert_refused_from_other_states(SELF_ASSESSMENT, name, assessment, users[FIRM])


def fill(assessment, user):
    """Every line at full marks: nothing to explain, so it may be submitted."""
    return services.assessment_save_draft(
        assessment=assessment, actor=user, expected_version=assessment.version, entries={}
    )


def test_submitting_is_kept_in_the_history_with_the_score(users, assessment):
    fill(assessment, users[FIRM])
    services.assessment_submit(
        assessment=assessment, actor=users[FIRM], expected_version=assessment.version
    )
    entry = next(e for e in history_for(assessment) if e.action == "提交自评")
    assert entry.changes["status"] == ["草稿", "已提交"]
    assert entry.changes["score"] == [None, "100.0"] and entry.actor == users[FIRM]


def test_a_replayed_submission_changes_nothing(users, assessment):
    page = SelfAssessment.objects.get(pk=assessment.pk)  # what the second click was built from
    services.assessment_submit(
        assessment=assessment, actor=users[FIRM], expected_version=assessment.version
    )
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        SELF_ASSESSMENT.apply(page, "submit", actor=users[FIRM])
    assert [e.action for e in history_for(assessment)].count("提交自评") == 1


def test_a_submitted_assessment_offers_no_edit(users, assessment):
    services.assessment_submit(
        assessment=assessment, actor=users[FIRM], expected_version=assessment.version
    )
    assert SELF_ASSESSMENT.allowed(assessment, actor=users[FIRM]) == []
    with pytest.raises(PermissionDenied, match="只有本企业的用户"):
        SELF_ASSESSMENT.check(assessment, "edit", actor=users["other firm"])


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_apply_once(standards, listed_firm, enterprise_user):
    draft = services.assessment_start(
        enterprise=listed_firm, actor=enterprise_user, on_date=ON_DATE
    )

    def submit():
        fresh = SelfAssessment.objects.get(pk=draft.pk)
        services.assessment_submit(
            assessment=fresh, actor=enterprise_user, expected_version=fresh.version
        )

    assert race(submit) == ["TransitionRefused", "ok"]
    assert [e.action for e in history_for(draft)].count("提交自评") == 1
