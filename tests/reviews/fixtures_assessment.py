"""Fixtures for the standards and self-assessment tests; import the ones a module uses."""

from __future__ import annotations

import datetime as dt

import pytest

from enterprises.choices import SizeClass, Status

ON_DATE = dt.date(2016, 9, 1)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def standards(reference):
    """Demo standards: the provincial small/micro one (135 contents, 1,000 points) and 机械's."""
    from reviews.demo import seed_standards
    from reviews.models import ScoringStandard

    seed_standards()
    return {
        "small_micro": ScoringStandard.objects.get(code="SD-XW"),
        "machinery": ScoringStandard.objects.get(code="HY-JX"),
    }


@pytest.fixture
def listed_firm(firm):
    firm.status = Status.LISTED
    firm.save(update_fields=["status"])
    return firm


@pytest.fixture
def assessment(standards, listed_firm, enterprise_user):
    """A draft self-assessment of the (small) firm against the small/micro standard."""
    from reviews.services.assessment import assessment_start

    return assessment_start(enterprise=listed_firm, actor=enterprise_user, on_date=ON_DATE)


@pytest.fixture
def graded_assessment(standards, make_enterprise, make_user, reference):
    """A draft of a medium 机械 firm (graded standard with veto items), with its user."""
    from reviews.services.assessment import assessment_start

    machinery = next(i for i in reference["industries"] if i.name == "机械")
    firm = make_enterprise(size=SizeClass.MEDIUM, industry=machinery, status=Status.LISTED)
    user = make_user(role="enterprise", enterprise=firm)
    return assessment_start(enterprise=firm, actor=user, on_date=ON_DATE), user


@pytest.fixture
def other_firm_user(make_enterprise, make_user, zhifu):
    return make_user(role="enterprise", enterprise=make_enterprise(county=zhifu))


@pytest.fixture
def other_county_user(make_user, fushan):
    return make_user(role="county", county=fushan)


@pytest.fixture
def assigned_agency_user(agency, agency_user, listed_firm, assessment):
    """The agency whose review carries the firm's self-assessment (the only way it reads it)."""
    from tests.factories import ReviewFactory

    ReviewFactory(enterprise=listed_firm, agency=agency, self_assessment=assessment)
    return agency_user


@pytest.fixture
def unassigned_agency_user(make_user):
    from tests.factories import AgencyFactory

    return make_user(role="agency", agency=AgencyFactory())
