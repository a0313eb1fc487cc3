"""Who is told what of the look-back and the audit of results (``portal.events``): the county
of its audit's error rate, the city of a county's re-rating, the firm of a spot-check's order
to rectify. Holds, revocations and the agencies' standing are told by ``reviews.events``."""

from __future__ import annotations

from django.urls import reverse

from portal.events import (
    Event,
    city_users,
    cn_date,
    county_staff,
    declare,
    firm_users,
    on_transition,
)
from portal.roles import Role

from .models import SpotCheckOutcome
from .workflows import AUDIT_ROUND, OUTCOME, record_transition

on_transition(
    AUDIT_ROUND,
    "close",
    Event(
        kind="lookback.audit_closed",
        label="抽查审核完成",
        audience=(Role.COUNTY,),
        recipients=lambda audit, ctx: county_staff(audit.county_id),
        title=lambda audit, ctx: (
            f"{audit.year}年抽查审核完成：误差率{audit.error_rate * 100:.1f}%"
            + ("，须重新评审" if audit.requires_re_review else "")
        ),
        reason="市局对本县市区评审结果的抽查审核有了结果",
        url=lambda audit, ctx: reverse("lookback:audit_detail", args=[audit.pk]),
        mail=False,
    ),
)
# Every rating of an agency is a new row, kept beside the earlier ones (emitted by
# ``agency_rating_submit``): the city is asked to decide either way.
RATING_SUBMITTED = declare(
    Event(
        kind="lookback.rating_submitted",
        label="县市区考评评审机构",
        audience=(Role.CITY,),
        recipients=lambda rating, ctx: city_users(),
        title=lambda rating, ctx: (
            f"{rating.county}考评{rating.agency}：{rating.get_rating_display()}"
        ),
        reason="县市区对评审机构的考评由市局据以调整名单",
        url=lambda rating, ctx: reverse("lookback:ratings", args=[rating.campaign_id]),
    )
)
on_transition(
    OUTCOME,
    record_transition(SpotCheckOutcome.Outcome.RECTIFY),
    Event(
        kind="lookback.spot_check_rectify",
        label="回头看抽查：限期整改",
        audience=(Role.ENTERPRISE,),
        recipients=lambda outcome, ctx: firm_users(outcome.enterprise_id),
        title=lambda outcome, ctx: f"回头看抽查：限期整改，期限{cn_date(outcome.rectify_by)}",
        body=lambda outcome, ctx: outcome.note,
        reason="市局回头看抽查您的企业，责令限期整改",
        url=lambda outcome, ctx: outcome.enterprise.get_absolute_url(),
    ),
)
