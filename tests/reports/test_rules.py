"""The notice's rules as arithmetic: when a reminder is due, the timetable, the projection."""

import datetime as dt

from reports import rules

D = dt.date
DUE = D(2016, 3, 30)


def step(today, days_before=rules.SUBMISSION_DAYS_BEFORE):
    return rules.reminder_step(DUE, today, days_before)


def test_submission_is_reminded_7_3_1_days_before_and_on_the_day():
    assert [step(D(2016, 3, d)) for d in (23, 27, 29, 30)] == [7, 3, 1, 0]


def test_no_submission_reminder_on_the_days_in_between():
    assert [step(D(2016, 3, d)) for d in (22, 24, 26, 28)] == [None, None, None, None]


def test_overdue_is_reminded_the_day_after_then_weekly():
    assert step(D(2016, 3, 31)) == -1
    assert step(D(2016, 4, 1)) is None
    assert step(D(2016, 4, 7)) == -8
    assert step(D(2016, 4, 14)) == -15


def test_nonconformity_is_reminded_3_days_before_the_day_and_overdue():
    nc = rules.NONCONFORMITY_DAYS_BEFORE
    assert [step(D(2016, 3, d), nc) for d in (26, 27, 28, 30, 31)] == [None, 3, None, 0, -1]


def test_due_dates_cover_every_rule_of_the_day():
    dates = rules.due_dates_for(D(2016, 3, 27), (7, 3, 1, 0), overdue_weeks=2)
    assert dates == [D(2016, 4, 3), D(2016, 3, 30), D(2016, 3, 28), D(2016, 3, 27),
                     D(2016, 3, 26), D(2016, 3, 19)]  # fmt: skip


def test_timetable_grows_in_a_straight_line_between_milestones():
    stones = [(D(2016, 6, 30), 100), (D(2016, 12, 31), 300)]
    assert rules.expected_by_timetable(stones, D(2016, 1, 1), year=2016) == 0
    assert rules.expected_by_timetable(stones, D(2016, 6, 30), year=2016) == 100
    # 1 Jan to 30 Jun is 181 days: on 31 Mar (90 days in) the county should be near half way.
    assert rules.expected_by_timetable(stones, D(2016, 3, 31), year=2016) == round(100 * 90 / 181)
    # Half way from 30 Jun (100) to 31 Dec (300): 92 of 184 days.
    assert rules.expected_by_timetable(stones, D(2016, 9, 30), year=2016) == 200
    assert rules.expected_by_timetable(stones, D(2017, 1, 15), year=2016) == 300


def test_projection_keeps_the_pace_so_far_to_the_end_of_the_year():
    # 2016 has 366 days; by 30 June (day 182) 100 passed: 100 × 366 / 182 ≈ 201.
    assert rules.project_to_year_end(100, D(2016, 6, 30), year=2016) == 201
    assert rules.project_to_year_end(50, D(2016, 12, 31), year=2016) == 50
    assert rules.project_to_year_end(0, D(2016, 3, 1), year=2016) == 0
    assert rules.project_to_year_end(10, D(2015, 12, 31), year=2016) == 0
