import datetime as dt
from decimal import Decimal as D

import pytest

from enterprises.choices import Grade, Status


@pytest.fixture
def tomorrow():
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def arrive(monkeypatch):
    """Move "today" forward: the day the public value comes into being."""
    from django.utils import timezone

    def to(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return to


@pytest.fixture
def passes(make_enterprise, zhifu):
    """Twelve firms of 芝罘区 that passed this year with a reported score of 80."""
    from django.utils import timezone

    from reviews.models import Certificate, Review

    year = timezone.localdate().year
    firms = []
    for n in range(12):
        firm = make_enterprise(county=zhifu, status=Status.ANNOUNCED, certificate_no=f"T-{n}")
        review = Review.objects.create(enterprise=firm, score=D("80.0"), result=Grade.PASS)
        Certificate.objects.create(
            enterprise=firm,
            review=review,
            grade=Grade.PASS,
            number=f"T-{n}",
            issued_on=dt.date(year, 1, 2),
            valid_until=dt.date(year + 3, 1, 1),
        )
        firms.append(firm)
    return firms
