"""Fixtures of the reports tests: the demo year's deadlines and one staff login per county."""

import datetime as dt

import pytest

from reports.services import submissions

YEAR = 2016
PLAN_DUE = dt.date(2016, 3, 30)


@pytest.fixture
def deadlines(reference):
    """The notice's three deadlines of 2016, with a 未上报 row for every county."""
    return submissions.setup_deadlines(year=YEAR)


@pytest.fixture
def plan_deadline(deadlines):
    return deadlines[0]


@pytest.fixture
def zhifu_plan(plan_deadline, zhifu):
    return plan_deadline.submissions.get(county=zhifu)


@pytest.fixture
def county_staff(make_user, zhifu):
    return make_user(role="county", county=zhifu, email="zhifu@example.invalid")


@pytest.fixture
def fushan_user(make_user, fushan):
    return make_user(role="county", county=fushan)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
