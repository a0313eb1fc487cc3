import factory
from django.contrib.auth import get_user_model

from enterprises.choices import SizeClass
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise
from reviews.models import Review, ReviewAgency


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = "city"
    password = factory.PostGenerationMethodCall("set_password", "Correct-horse-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(lambda n: make_credit_code("370602", 50_000_000 + n))
    name = factory.Sequence(lambda n: f"烟台测试企业{n}有限公司")
    size = SizeClass.SMALL
    employees = 50


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAgency

    name = factory.Sequence(lambda n: f"测试评审机构{n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review


def review_in(agency, enterprise, year: int, **fields):
    """A review of ``enterprise`` assigned to ``agency`` in ``year`` (the agency worked in the
    firm's county that year)."""
    import datetime as dt

    from django.utils import timezone

    from reviews.choices import ReviewStatus

    fields.setdefault("status", ReviewStatus.ASSIGNED)
    fields.setdefault("assigned_at", timezone.make_aware(dt.datetime(year, 3, 1, 9)))
    return Review.objects.create(enterprise=enterprise, agency=agency, **fields)


def phases_ahead(today=None) -> dict:
    """Look-back phase deadlines still ahead of today (in 30, 60 and 90 days), so a test's
    campaign takes its input: each phase accepts input only until its deadline."""
    import datetime as dt

    from django.utils import timezone

    today = today or timezone.localdate()
    return {
        phase: today + dt.timedelta(days=days)
        for phase, days in (("self_check", 30), ("summary", 60), ("spot_check", 90))
    }
