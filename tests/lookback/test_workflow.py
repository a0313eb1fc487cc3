"""The look-back machines: the audit round (抽查审核), the agencies' ratings (考评) and the
spot-check findings (抽查结论). Each transition only for its people, only from its states, every
refusal says why, and a replayed or raced transition applies once."""

import datetime as dt

import pytest

from enterprises.choices import Status
from lookback.models import DECIDED, PENDING, AgencyRating, AuditRound, SpotCheckOutcome
from lookback.services import (
    agency_rating_submit,
    agency_standing_decide_on_ratings,
    audit_close,
    audit_start,
    campaign_open,
    spot_check_draw,
    spot_check_record,
)
from lookback.workflows import AUDIT_ROUND, OUTCOME, RATING
from portal.audit import history_for
from portal.roles import Role
from portal.statemachine import TransitionRefused
from reviews.choices import AgencyStanding
from reviews.models import ResultHold, ReviewAgency
from reviews.services.holds import results_held
from tests.factories import UserFactory, phases_ahead, review_in
from tests.lookback.samples import audit_sample, spot_sample
from tests.machines import (
    SYSTEM,
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

from .test_audit import _record_all, passes  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

OPEN, CLOSED = AuditRound.Status.OPEN, AuditRound.Status.CLOSED
Result = SpotCheckOutcome.Outcome
RECORDABLE = {Result.PENDING, Result.PASSES, Result.RECTIFY, Result.PUNISHED}
CITY, COUNTY, FIRM, AGENCY, ADMIN = "city", "county", "firm", "agency", "admin"

# The tables as the notice has them: name → (from, to), and who may take each.
AUDIT_TABLE = {
    "redraw": ({OPEN}, OPEN),
    "record_finding": ({OPEN}, OPEN),
    "close": ({OPEN}, CLOSED),
}
RATING_TABLE = {
    "decide": ({PENDING}, DECIDED),
}
OUTCOME_TABLE = {
    f"record_{result}": (RECORDABLE, result)
    for result in (Result.PASSES, Result.RECTIFY, Result.PUNISHED, Result.REVOKED)
}
WHO = {
    "redraw": {CITY, ADMIN},
    "record_finding": {CITY, ADMIN},
    "close": {CITY, ADMIN},
    "decide": {CITY, ADMIN},
    **{name: {CITY, ADMIN} for name in OUTCOME_TABLE},
}


def test_the_audit_round_is_open_then_closed():
    assert_table(AUDIT_ROUND, AUDIT_TABLE)


def test_a_rating_is_pending_until_the_city_decides():
    assert_table(RATING, RATING_TABLE)


def test_a_spot_check_finding_may_change_until_the_grade_is_revoked():
    assert_table(OUTCOME, OUTCOME_TABLE)


@pytest.fixture
def users(firm, zhifu, fushan, agency):
    return {
        CITY: UserFactory(role=Role.CITY),
        COUNTY: UserFactory(role=Role.COUNTY, county=zhifu),
        "other county": UserFactory(role=Role.COUNTY, county=fushan),
        FIRM: UserFactory(role=Role.ENTERPRISE, enterprise=firm),
        AGENCY: UserFactory(role=Role.AGENCY, agency=agency),
        ADMIN: UserFactory(role=Role.ADMIN),
        SYSTEM: None,
    }


@pytest.fixture
def audit(passes, zhifu, users):  # noqa: F811
    return audit_start(county=zhifu, year=2016, actor=users[CITY], sample=audit_sample(zhifu, 2016))


@pytest.fixture
def campaign(users):
    return campaign_open(year=2016, actor=users[CITY], deadlines=phases_ahead())


@pytest.fixture
def rating(campaign, agency, users, firm):
    review_in(agency, firm, 2016)
    return agency_rating_submit(
        campaign=campaign,
        agency=agency,
        rating="warning",
        reason="重收费、轻服务",
        actor=users[COUNTY],
        rectify_by=dt.date(2016, 10, 1),
    )


@pytest.fixture
def outcome(campaign, make_enterprise, zhifu, users):
    for _ in range(3):
        make_enterprise(county=zhifu, status=Status.ANNOUNCED)
    return spot_check_draw(
        campaign=campaign, county=zhifu, actor=users[CITY], sample=spot_sample(zhifu)
    ).outcomes.first()


@pytest.mark.parametrize("name", list(AUDIT_TABLE))
def test_only_the_city_moves_an_audit_round(name, users, audit):
    assert_only_these_may(AUDIT_ROUND, name, audit, users, WHO[name])


@pytest.mark.parametrize("name", list(AUDIT_TABLE))
def test_a_closed_round_refuses_everything(name, users, audit):
    assert_refused_from_other_states(AUDIT_ROUND, name, audit, users[CITY])


@pytest.mark.parametrize("name", list(RATING_TABLE))
def test_only_the_city_takes_a_rating_into_its_decision(name, users, rating):
    assert_only_these_may(RATING, name, rating, users, WHO[name])


def test_a_decided_rating_cannot_be_decided_again(users, rating):
    assert_refused_from_other_states(RATING, "decide", rating, users[CITY])


@pytest.mark.parametrize("name", list(OUTCOME_TABLE))
def test_only_the_city_records_a_spot_check_finding(name, users, outcome):
    assert_only_these_may(OUTCOME, name, outcome, users, WHO[name])


@pytest.mark.parametrize("name", list(OUTCOME_TABLE))
def test_a_revoked_grade_is_final(name, users, outcome):
    assert_refused_from_other_states(OUTCOME, name, outcome, users[CITY])


def test_closing_with_firms_unrecorded_says_so(users, audit):
    with pytest.raises(TransitionRefused, match="还有抽查企业未录入审核结果"):
        AUDIT_ROUND.check(audit, "close", actor=users[CITY])


def test_a_redraw_after_a_recorded_result_is_refused(users, audit):
    _record_all(audit, users[CITY], wrong=0)
    with pytest.raises(TransitionRefused, match="已录入审核结果"):
        AUDIT_ROUND.check(audit, "redraw", actor=users[CITY])


def test_the_buttons_follow_the_round(users, audit):
    city = users[CITY]
    assert {t.name for t in AUDIT_ROUND.allowed(audit, actor=city)} == {"redraw", "record_finding"}
    _record_all(audit, city, wrong=0)
    assert {t.name for t in AUDIT_ROUND.allowed(audit, actor=city)} == {"record_finding", "close"}
    assert AUDIT_ROUND.allowed(audit, actor=users[COUNTY]) == []


# --- Replays ---------------------------------------------------------------------------------


def _closed_round(zhifu, city, *, seed: str, wrong: int) -> AuditRound:
    audit = audit_start(county=zhifu, year=2016, actor=city, sample=audit_sample(zhifu, 2016))
    _record_all(audit, city, wrong=wrong)
    return audit_close(audit=audit, actor=city, expected_version=audit.version)


def test_a_replayed_close_changes_nothing_and_the_later_hold_stays(passes, zhifu, users):  # noqa: F811
    city = users[CITY]
    failing = _closed_round(zhifu, city, seed="a", wrong=2)
    first_hold = failing.hold
    passing = audit_start(county=zhifu, year=2016, actor=city, sample=audit_sample(zhifu, 2016))
    assert passing.is_re_audit and passing.hold == first_hold
    _record_all(passing, city, wrong=0)
    page = AuditRound.objects.get(pk=passing.pk)  # the page a second click was sent from
    audit_close(audit=passing, actor=city, expected_version=passing.version)
    first_hold.refresh_from_db()
    assert first_hold.released_at is not None
    later = _closed_round(zhifu, city, seed="c", wrong=2)
    later_hold = results_held(county=zhifu, year=2016)
    assert later_hold is not None and later_hold != first_hold and later.hold == later_hold

    with pytest.raises(TransitionRefused, match="已被他人处理"):
        audit_close(audit=page, actor=city, expected_version=page.version)
    with pytest.raises(TransitionRefused, match="已完成"):
        audit_close(audit=AuditRound.objects.get(pk=passing.pk), actor=city)

    assert results_held(county=zhifu, year=2016) == later_hold
    assert history_for(passing).filter(action="完成抽查审核").count() == 1
    assert history_for(later_hold).filter(action="解除暂缓公告").count() == 0


def test_a_failing_re_audit_keeps_the_hold_it_answers_to(passes, zhifu, users):  # noqa: F811
    city = users[CITY]
    first = _closed_round(zhifu, city, seed="a", wrong=2)
    again = _closed_round(zhifu, city, seed="b", wrong=2)
    assert again.is_re_audit and again.hold == first.hold
    assert ResultHold.objects.filter(released_at__isnull=True).count() == 1


def test_a_rating_taken_into_a_decision_is_not_taken_again(users, rating, agency):
    city = users[CITY]
    page = AgencyRating.objects.get(pk=rating.pk)
    RATING.apply(rating, "decide", actor=city)
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        RATING.apply(page, "decide", actor=city)
    agency.refresh_from_db()
    assert agency.standing == AgencyStanding.REGISTERED


def test_a_finding_is_kept_in_the_firms_history(users, outcome):
    spot_check_record(outcome=outcome, actor=users[CITY], result=Result.PUNISHED, note="台账造假")
    entry = history_for(outcome.enterprise).get(action="回头看抽查")
    assert entry.changes == {"outcome": ["待检查", "依法查处"]} and entry.note == "台账造假"


# --- Races (PostgreSQL) ----------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_closes_at_once_apply_once(passes, zhifu, make_user):  # noqa: F811
    city = make_user(role=Role.CITY)
    audit = audit_start(county=zhifu, year=2016, actor=city, sample=audit_sample(zhifu, 2016))
    _record_all(audit, city, wrong=2)

    def close():
        audit_close(audit=AuditRound.objects.get(pk=audit.pk), actor=city)

    assert race(close) == ["TransitionRefused", "ok"]
    assert history_for(audit).filter(action="完成抽查审核").count() == 1
    assert ResultHold.objects.filter(county=zhifu, year=2016).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_apply_once(reference, agency, make_user, zhifu, make_enterprise):
    city = make_user(role="city")
    county = make_user(role=Role.COUNTY, county=zhifu)
    campaign = campaign_open(year=2016, actor=city, deadlines=phases_ahead())
    review_in(agency, make_enterprise(county=zhifu), 2016)
    rating = agency_rating_submit(
        campaign=campaign, agency=agency, rating="removal", reason="弄虚作假", actor=county
    )

    def decide():
        agency_standing_decide_on_ratings(
            agency=ReviewAgency.objects.get(pk=agency.pk),
            decision="remove",
            reason="屡改屡犯",
            actor=city,
            ratings=[AgencyRating.objects.get(pk=rating.pk)],
        )

    assert sorted(race(decide)) == ["TransitionRefused", "ok"]
    assert history_for(agency).filter(action="清除").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_findings_at_once_apply_once(reference, make_enterprise, make_user, zhifu):
    city = make_user(role=Role.CITY)
    campaign = campaign_open(year=2016, actor=city, deadlines=phases_ahead())
    for _ in range(3):
        make_enterprise(county=zhifu, status=Status.ANNOUNCED)
    outcome = spot_check_draw(
        campaign=campaign, county=zhifu, actor=city, sample=spot_sample(zhifu)
    ).outcomes.first()

    def record():
        spot_check_record(
            outcome=SpotCheckOutcome.objects.get(pk=outcome.pk),
            actor=city,
            result=Result.PUNISHED,
            note="复查",
        )

    assert race(record) == ["TransitionRefused", "ok"]
    assert history_for(outcome.enterprise).filter(action="回头看抽查").count() == 1
