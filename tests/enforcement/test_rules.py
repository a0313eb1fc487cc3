"""三（三）执法推进, as the notice says it: five points, two inspectors, the upper limit."""

from decimal import Decimal

from enforcement import rules
from enforcement.choices import CheckPoint, Finding

FULL = {p.value: (Finding.CONFORMS, "查阅台账") for p in CheckPoint}


def test_the_five_points_are_the_notices():
    assert [p.label for p in rules.FIVE_POINTS] == [
        "从业人员安全教育培训档案",
        "隐患排查治理工作开展情况",
        "职业危害管理情况",
        "特种作业人员持证上岗",
        "应急预案备案",
    ]


def test_every_point_needs_a_finding_and_its_evidence():
    assert rules.missing_points(FULL) == []
    no_evidence = {**FULL, "hazards": (Finding.CONFORMS, " ")}
    assert rules.missing_points(no_evidence) == ["隐患排查治理工作开展情况"]
    four = {k: v for k, v in FULL.items() if k != "emergency_plan"}
    assert rules.missing_points(four) == ["应急预案备案"]


def test_an_inspection_needs_two_inspectors_with_certificates():
    assert rules.inspectors_problem([("王建国", "001"), ("李明", "002")]) is None
    assert "2名以上" in rules.inspectors_problem([("王建国", "001"), ("", "")])
    assert "执法证号" in rules.inspectors_problem([("王建国", "001"), ("李明", "")])
    assert "2名以上" in rules.inspectors_problem([("王建国", "001"), ("王建国", "001")])


def test_the_upper_limit_is_one_maximum_per_provision_breached():
    assert rules.upper_limit([Decimal(50000), Decimal(50000)]) == Decimal(100000)
    assert rules.upper_limit([]) == 0


def test_a_fine_below_the_upper_limit_needs_a_reason():
    limit = Decimal(50000)
    assert rules.penalty_problems(limit, limit, "") == {}
    assert "below_limit_reason" in rules.penalty_problems(Decimal(30000), limit, "")
    assert rules.penalty_problems(Decimal(30000), limit, "首次违法且已当场改正") == {}
    assert "amount" in rules.penalty_problems(Decimal(60000), limit, "理由")
