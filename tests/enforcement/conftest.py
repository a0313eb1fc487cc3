"""A refuser of 芝罘区 and a case against it at each stage, built through the services."""

import datetime as dt

import pytest

from enforcement import services
from enforcement.choices import CheckPoint, Finding, FollowUpResult
from enforcement.legal_bases import rows
from enforcement.models import LegalBasis

D = dt.date


@pytest.fixture
def bases(db):
    """The table of violations as the migration seeds it (transactional tests flush it)."""
    for row in rows():
        LegalBasis.objects.update_or_create(code=row["code"], defaults=row)
    return {b.code: b for b in LegalBasis.objects.all()}


def five_points(finding: str = Finding.CONFORMS, **overrides) -> dict:
    found = {point.value: (finding, f"查阅{point.label}相关台账") for point in CheckPoint}
    found.update(overrides)
    return found


INSPECTORS = [("王建国", "37060010001"), ("李明", "37060010002")]


@pytest.fixture
def refusal(firm, county_user):
    return services.refusal_mark(
        enterprise=firm, actor=county_user, notice_no="芝罘区安监告〔2016〕1号",
        served_on=D(2016, 3, 10), firm_answer="企业称暂不开展标准化创建",
    )  # fmt: skip


@pytest.fixture
def case(refusal, county_user, bases):
    return services.case_open(
        enterprise=refusal.enterprise, actor=county_user, refusal=refusal,
        opened_on=D(2016, 4, 1), cause="拒不开展安全生产标准化创建",
    )  # fmt: skip


def inspect(case, actor, findings=None):
    return services.inspection_record(
        case=case, actor=actor, inspected_on=D(2016, 4, 10), place="生产现场",
        inspectors=INSPECTORS,
        findings=findings or five_points(training=(Finding.VIOLATION, "培训档案缺失")),
    )  # fmt: skip


@pytest.fixture
def inspected(case, county_user, bases):
    inspect(case, county_user)
    services.violation_record(
        case=case, actor=county_user, basis=bases["AQFA2014-94-4"], facts="未如实记录培训情况"
    )
    return case


@pytest.fixture
def ordered(inspected, county_user):
    return services.case_order(
        case=inspected, actor=county_user, order_no="芝罘区安监责改〔2016〕1号",
        ordered_on=D(2016, 4, 12), rectify_by=D(2016, 5, 12),
    )  # fmt: skip


@pytest.fixture
def decided(ordered, county_user):
    services.penalty_decide(
        case=ordered, actor=county_user, number="芝罘区安监罚〔2016〕1号", decided_on=D(2016, 4, 20)
    )
    return ordered


@pytest.fixture
def followed_up(decided, county_user):
    return services.case_follow_up(
        case=decided, actor=county_user, followed_up_on=D(2016, 5, 13),
        result=FollowUpResult.CORRECTED, note="已补齐培训记录",
    )  # fmt: skip
