"""An accident with a death, or a 较大 accident or worse, at a firm holding a grade or 达标 puts
it on the revocation candidate list of the level that issued the grade; the candidate is
revoked (source 发生生产安全事故) or kept, with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from enterprises.choices import Grade, Status
from enterprises.models import Accident
from integrity.models import RevocationCandidate
from integrity.rules import accident_class
from integrity.services.candidates import candidate_decide, candidates_sweep
from portal.statemachine import TransitionRefused
from reviews.models import Certificate, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(make_enterprise, zhifu):
    def make(grade=Grade.PASS, number="G-1"):
        firm = make_enterprise(county=zhifu, status=Status.ANNOUNCED, grade=grade,
                               certificate_no=number)  # fmt: skip
        review = Review.objects.create(enterprise=firm, score=80, result=grade)
        Certificate.objects.create(
            enterprise=firm, review=review, grade=grade, number=number,
            issued_on=dt.date(2025, 1, 1), valid_until=dt.date(2027, 12, 31),
        )  # fmt: skip
        return firm

    return make


def accident(firm, *, deaths=0, injuries=0, day=dt.date(2026, 5, 1)):
    return Accident.objects.create(
        enterprise=firm, occurred_on=day, deaths=deaths, injuries=injuries
    )


@pytest.mark.parametrize(
    ("deaths", "injuries", "listed"),
    [(0, 1, False), (0, 9, False), (1, 0, True), (3, 0, True), (0, 10, True)],
    ids=["one injury", "nine injuries", "one death", "较大: three deaths", "较大: ten injured"],
)
def test_the_accident_rule_at_its_edges(graded, deaths, injuries, listed):
    accident(graded(), deaths=deaths, injuries=injuries)
    assert candidates_sweep() == int(listed)


def test_the_classes_read_like_the_regulation():
    assert accident_class(deaths=0, injuries=3) == ""
    assert accident_class(deaths=1, injuries=0) == "死亡事故"
    assert accident_class(deaths=3, injuries=0) == "较大及以上事故"


def test_a_firm_without_a_grade_is_not_a_candidate(make_enterprise, zhifu):
    accident(make_enterprise(county=zhifu), deaths=2)
    assert candidates_sweep() == 0


def test_a_firm_whose_grade_was_already_revoked_is_not_a_candidate(graded):
    from django.utils import timezone

    firm = graded()
    Certificate.objects.filter(enterprise=firm).update(revoked_at=timezone.now())
    accident(firm, deaths=1)
    assert candidates_sweep() == 0


def test_an_accident_outside_the_grades_validity_is_not_a_candidate(graded):
    accident(graded(), deaths=1, day=dt.date(2024, 6, 1))
    assert candidates_sweep() == 0


def test_a_second_sweep_adds_nothing(graded):
    accident(graded(), deaths=1)
    assert (candidates_sweep(), candidates_sweep()) == (1, 0)


def test_the_county_decides_a_pass_and_revokes_it_with_the_accident_as_source(
    graded, county_user, city_user
):
    firm = graded(Grade.PASS)
    accident(firm, deaths=1)
    candidates_sweep()
    candidate = RevocationCandidate.objects.get()
    assert candidate.level == "county"
    with pytest.raises(PermissionDenied):
        candidate_decide(candidate=candidate, actor=city_user, decision="revoke", reason="x")
    with pytest.raises(TransitionRefused, match="理由"):
        candidate_decide(candidate=candidate, actor=county_user, decision="revoke", reason="")
    candidate_decide(
        candidate=candidate, actor=county_user, decision="revoke", reason="事故调查认定主体责任"
    )
    certificate = Certificate.objects.get()
    assert certificate.revoked_at and certificate.revoke_source == "发生生产安全事故"
    firm.refresh_from_db()
    assert firm.status == Status.REVOKED


def test_the_city_keeps_a_level_two_grade_with_a_reason(graded, city_user, county_user):
    accident(graded(Grade.LEVEL2), deaths=1)
    candidates_sweep()
    candidate = RevocationCandidate.objects.get()
    assert candidate.level == "city"
    with pytest.raises(PermissionDenied):
        candidate_decide(candidate=candidate, actor=county_user, decision="keep", reason="x")
    candidate_decide(
        candidate=candidate, actor=city_user, decision="keep", reason="事故系交通事故，非生产原因"
    )
    assert candidate.status == "kept" and Certificate.objects.get().revoked_at is None
    with pytest.raises(TransitionRefused):  # decided once
        candidate_decide(candidate=candidate, actor=city_user, decision="revoke", reason="x")


@pytest.mark.parametrize(("grade", "decider"), [(Grade.PASS, "county"), (Grade.LEVEL2, "city")])
def test_only_the_deciding_level_is_notified(graded, seats, grade, decider):
    """达标 and 三级: the firm's county; 一级、二级: the city; nobody else, once per sweep."""
    from portal.models import Notification

    accident(graded(grade), deaths=1)
    candidates_sweep()
    told = set(
        Notification.objects.filter(kind="integrity.candidates_listed").values_list(
            "recipient", flat=True
        )
    )
    assert told == {seats[decider].pk}
    note = Notification.objects.get(kind="integrity.candidates_listed")
    assert note.title == "1 家企业列入撤销候选" and note.url == "/integrity/candidates/"
    assert not Notification.objects.exclude(kind="integrity.candidates_listed").exists()
