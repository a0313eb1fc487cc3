"""The to-do home (``portal.todo``): every role sees what waits for it, each count equal to the
list its link opens, and the firm its next step in words."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Status
from lookback.services import agency_rating_submit, campaign_open
from portal.events import cn_date
from portal.todo import todos_for
from reports.services import submissions, targets
from reviews.choices import ReviewStatus
from reviews.models import Review
from reviews.services import review as services
from tests.factories import phases_ahead
from tests.reviews import factories_announcements as fa
from tests.reviews import factories_review

from .conftest import PDF

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def busy(review_world, make_enterprise, zhifu, fushan):
    """Something in every queue: an application, a conclusion, a confirmed and a nearly
    expired certificate, a rectification half answered, a target and documents handed in, a
    document owed past its deadline, a rating to decide."""
    w = review_world
    today = timezone.localdate()
    other = w.other_firm_user.enterprise
    other.status = Status.APPLIED
    other.save(update_fields=["status"])
    Review.objects.create(enterprise=other, status=ReviewStatus.APPLIED, applied_at=timezone.now())
    fa.concluded_review(make_enterprise(county=zhifu))
    fa.confirmed_certificate(make_enterprise(county=zhifu), issued_on=today)
    fa.confirmed_certificate(
        make_enterprise(county=zhifu), issued_on=today - dt.timedelta(days=3 * 365 - 20)
    )
    review = w.scored({0: 5, 1: 5})
    items = list(w.standard.items.order_by("order"))
    ncs = [
        services.nonconformity_add(
            review=review,
            actor=w.agency_user,
            item=item,
            description=f"问题{n}",
            deadline=today + dt.timedelta(days=10 + n),
        )  # fmt: skip
        for n, item in enumerate(items[:2])
    ]
    services.nonconformity_answer(nonconformity=ncs[0], actor=w.firm_user, response="已整改")
    deadlines = submissions.setup_deadlines(year=today.year)
    target = targets.target_save(
        actor=w.county_user, county=zhifu, year=today.year, listed_count=200,
        milestones=[(dt.date(today.year, 12, 31), 100)],
    )  # fmt: skip
    targets.target_submit(actor=w.county_user, target=target)
    sub = deadlines[-1].submissions.get(county=zhifu)
    document = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    submissions.submission_upload(actor=w.county_user, submission=sub, document=document)
    campaign = campaign_open(year=today.year, actor=w.city_user, deadlines=phases_ahead())
    agency_rating_submit(
        campaign=campaign, agency=w.agency, rating="good", reason="履职良好", actor=w.county_user
    )
    return w, review, ncs


def listed(client, url: str) -> int:
    """How many rows the page at ``url`` lists."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "page_obj" in context:
        return context["page_obj"].paginator.count
    if "records" in context:
        return len(context["records"])
    if "rows" in context:
        return len(context["rows"])
    return context["form"].fields["certificates"].queryset.count()  # the announcement draft


@pytest.mark.parametrize("role", ["city_user", "county_user", "agency_user"])
def test_every_count_on_the_to_do_home_equals_the_list_it_links_to(client, busy, role):
    user = getattr(busy[0], role)
    client.force_login(user)
    counted = [t for t in todos_for(user) if not t.text]
    assert counted and sum(t.count for t in counted) > 0  # something waits for every role
    for item in counted:
        assert item.count == listed(client, item.url), item.label


def test_the_queues_that_wait_for_each_role(busy):
    w, _, _ = busy
    counts = {role: {t.label: t.count for t in todos_for(getattr(w, role))} for role in
              ("city_user", "county_user", "agency_user")}  # fmt: skip
    assert counts["city_user"]["待审定的年度目标"] == 1
    assert counts["city_user"]["待市局接收的上报材料"] == 1
    assert counts["city_user"]["待处理的评审机构考评"] == 1
    assert counts["county_user"]["待受理的评审申请"] == 1
    assert counts["county_user"]["待确认的评审结论"] == 1
    assert counts["county_user"]["三个月内到期、待复评的证书"] == 1
    assert counts["agency_user"]["企业已提交整改、待核查"] == 1
    assert not any(t.count for t in todos_for(w.other_agency_user))


def test_the_firm_reads_its_next_step_in_words_and_its_count_is_the_review_pages(client, busy):
    w, review, ncs = busy
    (step,) = [t for t in todos_for(w.firm_user) if t.label == "不符合项待整改"]
    assert step.text == f"1项不符合项待整改，期限{cn_date(ncs[1].deadline)}"
    client.force_login(w.firm_user)
    page = client.get(step.url)
    waiting = [nc for nc in page.context["nonconformities"] if nc.status in ("open", "rejected")]
    assert step.url == review.get_absolute_url() and len(waiting) == step.count == 1
    home = client.get(reverse("enterprises:detail", args=[w.firm.pk])).content.decode()
    assert step.text in home


def test_another_firm_sees_its_own_step_not_this_ones(busy):
    w, _, _ = busy
    texts = [t.text for t in todos_for(w.other_firm_user)]
    assert texts == ["评审申请已提交，等待县级监管部门受理"]


def test_each_home_shows_its_to_do_panel(client, busy):
    w, _, _ = busy
    for user, url in (
        (w.city_user, reverse("reports:dashboard")),
        (w.county_user, reverse("reports:county_home")),
        (w.agency_user, reverse("reviews:agency_home")),
        (w.city_user, reverse("portal:todo")),
    ):
        client.force_login(user)
        assert 'class="mb-3 portal-todo"' in client.get(url).content.decode(), url


def test_the_to_do_home_costs_the_same_queries_whatever_the_data(
    client, busy, make_enterprise, zhifu
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w, _, _ = busy
    client.force_login(w.county_user)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("portal:todo"))
    for _ in range(3):
        Review.objects.create(
            enterprise=make_enterprise(county=zhifu), status=ReviewStatus.APPLIED,
            applied_at=timezone.now(),
        )  # fmt: skip
        fa.concluded_review(make_enterprise(county=zhifu))
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("portal:todo"))
    assert len(after) == len(before)


@pytest.fixture
def watched(review_world, make_enterprise, zhifu):
    """The city's and the county's other queues: a 公示 in its period with an objection open, a
    re-review after a failed audit, an integrity signal and revocation candidates of both
    levels, and an agency under warning."""
    from decimal import Decimal

    from enterprises.choices import Grade
    from enterprises.models import Accident
    from integrity.models import RevocationCandidate, Signal
    from reviews.choices import AnnouncementKind
    from reviews.services import agencies, announcements, holds, objections

    w = review_world
    today = timezone.localdate()
    listed = fa.confirmed_certificate(make_enterprise(county=zhifu), issued_on=today)
    draft = announcements.announcement_create(
        actor=w.county_user, county=zhifu, number="芝安监〔2016〕20号", title="达标企业公示",
        certificates=[listed], kind=AnnouncementKind.PUBLICITY,
    )  # fmt: skip
    publicity = announcements.announcement_publish(announcement=draft, actor=w.county_user)
    objections.objection_record(
        announcement=publicity, actor=w.county_user, certificate=listed, objector="王某",
        content="培训记录系补签",
    )  # fmt: skip
    fa.confirmed_certificate(make_enterprise(county=zhifu), issued_on=today)
    hold = holds.result_hold_place(
        county=zhifu, year=today.year, reason="误差率35%", actor=w.city_user
    )
    holds.re_reviews_open(hold=hold, actor=w.city_user)
    Signal.objects.create(
        kind=Signal.Kind.CLEAN_PASS, key="k-1", score=Decimal(3), summary="通过评审却未发现问题",
        county=zhifu, seen_at=timezone.now(),
    )  # fmt: skip
    for grade, level in ((Grade.PASS, "county"), (Grade.LEVEL2, "city")):
        certificate = fa.confirmed_certificate(
            make_enterprise(county=zhifu), grade=grade, issued_on=today
        )
        RevocationCandidate.objects.create(
            accident=Accident.objects.create(
                enterprise=certificate.enterprise, occurred_on=today, deaths=1
            ),
            enterprise=certificate.enterprise, certificate=certificate, level=level,
            why="死亡1人",
        )  # fmt: skip
    agencies.agency_standing_decide(
        agency=w.agency, decision="warn", reason="重收费、轻服务", actor=w.city_user,
        problem="fees", requirements="退还多收费用", deadline=today + dt.timedelta(days=20),
    )  # fmt: skip
    return w


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        ("city_user", ["异议期内的公示", "待核实的诚信预警", "待决定的撤销候选"]),
        ("county_user", ["有异议待处理的公示", "抽查审核后待完成的复审", "待决定的撤销候选"]),
    ],
)
def test_the_watched_queues_count_what_their_lists_show(client, watched, role, labels):
    user = getattr(watched, role)
    client.force_login(user)
    items = {t.label: t for t in todos_for(user)}
    for label in labels:
        assert items[label].count >= 1, label
        assert items[label].count == listed(client, items[label].url), label
    elsewhere = {t.label: t.count for t in todos_for(watched.other_county_user)}
    assert not any(elsewhere.get(label) for label in labels)  # another county: none of these


def test_the_warned_agency_reads_its_deadline(client, watched):
    (step,) = [t for t in todos_for(watched.agency_user) if t.label == "评审机构名单状态"]
    deadline = timezone.localdate() + dt.timedelta(days=20)
    assert step.text.endswith(f"整改期限{cn_date(deadline)}") and step.hint == "退还多收费用"
    client.force_login(watched.agency_user)
    assert client.get(step.url).status_code == 200
