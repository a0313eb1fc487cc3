"""The lifecycle state machine: each transition only for its roles, only from its states, and
every refusal says why."""

import pytest
from django.core.exceptions import PermissionDenied

from enterprises.choices import Status
from portal.audit import history_for
from portal.roles import Role
from reviews.workflow import (
    SYSTEM,
    TRANSITIONS,
    TransitionRefused,
    allowed_transitions,
    check_transition,
    enterprise_transition,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = [Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.AGENCY]

# The table as the programme states it: name → (from, to, who).
EXPECTED = {
    "start_self_assessment": (
        {Status.LISTED, Status.EXPIRED, Status.REVOKED, Status.SELF_ASSESSING},
        Status.SELF_ASSESSING,
        {Role.ENTERPRISE},
    ),
    "apply": ({Status.SELF_ASSESSING}, Status.APPLIED, {Role.ENTERPRISE}),
    "return_application": ({Status.APPLIED}, Status.SELF_ASSESSING, {Role.COUNTY}),
    "assign": ({Status.APPLIED}, Status.UNDER_REVIEW, {Role.COUNTY}),
    "list_nonconformities": ({Status.UNDER_REVIEW}, Status.RECTIFYING, {Role.AGENCY}),
    "conclude": ({Status.UNDER_REVIEW, Status.RECTIFYING}, Status.CONCLUDED, {Role.AGENCY}),
    "confirm": ({Status.CONCLUDED}, Status.CONFIRMED, {Role.COUNTY}),
    "reject_conclusion": ({Status.CONCLUDED}, Status.SELF_ASSESSING, {Role.COUNTY}),
    "announce": ({Status.CONFIRMED}, Status.ANNOUNCED, {Role.COUNTY}),
    "revoke": ({Status.CONFIRMED, Status.ANNOUNCED}, Status.REVOKED, {Role.CITY, Role.COUNTY}),
    "expire": ({Status.CONFIRMED, Status.ANNOUNCED}, Status.EXPIRED, {SYSTEM}),
}


def test_the_table_is_the_programmes_lifecycle():
    assert set(TRANSITIONS) == set(EXPECTED)
    for name, (sources, target, roles) in EXPECTED.items():
        transition = TRANSITIONS[name]
        assert set(transition.source) == sources, name
        assert transition.target == target, name
        assert set(transition.roles) == roles, name


@pytest.fixture
def users(reference, firm, zhifu, agency):
    return {
        Role.CITY: UserFactory(role=Role.CITY),
        Role.COUNTY: UserFactory(role=Role.COUNTY, county=zhifu),
        Role.ENTERPRISE: UserFactory(role=Role.ENTERPRISE, enterprise=firm),
        Role.AGENCY: UserFactory(role=Role.AGENCY, agency=agency),
    }


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_other_role_is_refused_and_told_who_may(name, users, firm):
    sources, _, roles = EXPECTED[name]
    firm.status = sorted(sources)[0]
    for role in ROLES:
        if role in roles:
            continue
        with pytest.raises(PermissionDenied, match=f"无权执行“{TRANSITIONS[name].label}”"):
            check_transition(enterprise=firm, name=name, actor=users[role])
    if SYSTEM not in roles:
        with pytest.raises(PermissionDenied):
            check_transition(enterprise=firm, name=name, actor=None)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_transition_is_refused_from_every_other_state(name, users, firm):
    sources, _, roles = EXPECTED[name]
    role = next(iter(roles))
    actor = None if role == SYSTEM else users[role]
    for status in set(Status.values) - sources:
        firm.status = status
        with pytest.raises(TransitionRefused) as refused:
            check_transition(enterprise=firm, name=name, actor=actor)
        message = refused.value.messages[0]
        assert Status(status).label in message and TRANSITIONS[name].label in message


def test_applying_without_a_submitted_self_assessment_is_refused_with_the_reason(users, firm):
    firm.status = Status.SELF_ASSESSING
    with pytest.raises(TransitionRefused, match="尚未提交自评"):
        check_transition(enterprise=firm, name="apply", actor=users[Role.ENTERPRISE])


def test_assigning_without_an_agency_is_refused(users, firm):
    firm.status = Status.APPLIED
    with pytest.raises(TransitionRefused, match="未选择评审机构"):
        check_transition(enterprise=firm, name="assign", actor=users[Role.COUNTY])


def test_a_transition_is_kept_in_the_firms_history(users, firm):
    firm.status = Status.CONFIRMED
    firm.save(update_fields=["status"])
    enterprise_transition(enterprise=firm, name="revoke", actor=users[Role.CITY], note="抽查")
    entry = history_for(firm).get()
    assert entry.changes == {"status": ["县级已确认", "已撤销"]}
    assert entry.actor == users[Role.CITY] and entry.note == "抽查"


def test_allowed_transitions_lists_only_what_the_actor_may_do_now(users, firm):
    firm.status = Status.CONFIRMED
    names = {name for name, _ in allowed_transitions(enterprise=firm, actor=users[Role.COUNTY])}
    assert names == {"announce", "revoke"}
