"""The scoring rules, as the notice and the national standards state them."""

import datetime as dt
from decimal import Decimal as D

import pytest

from enterprises.choices import Grade
from reviews.scoring import (
    ItemResult,
    compute_score,
    final_result,
    grade_allowed_by_accidents,
    re_review_window_opens,
    validity_end,
)


def score(*items):
    return compute_score([ItemResult(D(p), D(d), na, veto) for p, d, na, veto in items])


def test_points_are_deducted_item_by_item_and_never_below_zero():
    result = score((10, 15, False, False), (10, 2, False, False))
    assert result.earned == D(8)
    assert result.value == D("40.0")


def test_not_applicable_items_leave_the_denominator():
    # 45 earned of (100 - 40) applicable points = 75.0
    result = score((60, 15, False, False), (40, 0, True, False))
    assert result.value == D("75.0")


def test_score_is_rounded_to_one_decimal_half_up():
    assert score((3, 1, False, False)).value == D("66.7")
    assert score((8, 1, False, False)).value == D("87.5")


def test_a_failed_veto_item_fails_the_firm_whatever_its_score():
    result = score((100, 0, False, False), (10, 1, False, True))
    assert result.value > 90
    assert final_result(result, small_micro=False) is None
    assert final_result(result, small_micro=True) is None


def test_a_not_applicable_veto_item_does_not_fail():
    assert not score((100, 0, False, False), (10, 10, True, True)).veto_failed


def test_small_and_micro_firms_pass_at_sixty_and_hold_no_grade():
    assert final_result(score((100, 40, False, False)), small_micro=True) == Grade.PASS
    assert final_result(score((1000, 401, False, False)), small_micro=True) is None  # 59.9
    assert final_result(score((100, 0, False, False)), small_micro=True) == Grade.PASS


def test_graded_firms_thresholds():
    assert final_result(score((100, 10, False, False)), small_micro=False) == Grade.LEVEL1
    assert final_result(score((1000, 101, False, False)), small_micro=False) == Grade.LEVEL2
    assert final_result(score((100, 25, False, False)), small_micro=False) == Grade.LEVEL2
    assert final_result(score((100, 40, False, False)), small_micro=False) == Grade.LEVEL3
    assert final_result(score((100, 41, False, False)), small_micro=False) is None


def test_deaths_in_the_year_before_cap_the_grade():
    first = score((100, 5, False, False))
    assert final_result(first, small_micro=False, deaths_in_year_before=0) == Grade.LEVEL1
    assert final_result(first, small_micro=False, deaths_in_year_before=1) == Grade.LEVEL2
    assert final_result(first, small_micro=False, deaths_in_year_before=2) == Grade.LEVEL3
    assert final_result(first, small_micro=False, deaths_in_year_before=3) is None
    third = score((100, 35, False, False))
    assert final_result(third, small_micro=False, deaths_in_year_before=1) == Grade.LEVEL3


def test_accident_caps_table():
    assert [grade_allowed_by_accidents(n) for n in range(4)] == [
        Grade.LEVEL1,
        Grade.LEVEL2,
        Grade.LEVEL3,
        None,
    ]


def test_a_grade_is_valid_for_three_years_with_re_review_in_the_last_three_months():
    assert validity_end(dt.date(2016, 6, 30)) == dt.date(2019, 6, 29)
    assert validity_end(dt.date(2016, 2, 29)) == dt.date(2019, 2, 27)
    assert re_review_window_opens(dt.date(2019, 6, 29)) == dt.date(2019, 3, 29)
    assert re_review_window_opens(dt.date(2019, 5, 31)) == dt.date(2019, 2, 28)


def _exact(value: str):
    """A score of exactly ``value`` (e.g. "59.9"): 599 earned of 1000."""
    tenths = int(D(value) * 10)
    return score((1000, 1000 - tenths, False, False))


@pytest.mark.parametrize(
    ("value", "small_micro", "result"),
    [
        ("59.9", True, None),
        ("60.0", True, Grade.PASS),
        ("59.9", False, None),
        ("60.0", False, Grade.LEVEL3),
        ("74.9", False, Grade.LEVEL3),
        ("75.0", False, Grade.LEVEL2),
        ("89.9", False, Grade.LEVEL2),
        ("90.0", False, Grade.LEVEL1),
        ("95.0", True, Grade.PASS),  # small and micro firms cannot hold 一级 or 二级
    ],
)
def test_each_threshold_at_its_edge(value, small_micro, result):
    computed = _exact(value)
    assert computed.value == D(value)
    assert final_result(computed, small_micro=small_micro) == result
