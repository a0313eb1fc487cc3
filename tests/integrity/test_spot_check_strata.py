"""The look-back's spot-check 根据自查自纠和总结情况: its population shows what the self-check,
the county's inspection and the summary found at each firm, and the city draws from the two
strata (firms with findings, firms without) by the verifiable draw, choosing how many come
from the first."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade, Status
from integrity import algorithm
from integrity.forms import FreezeForm
from integrity.models import Draw
from integrity.rules import spot_check_quotas
from integrity.selectors import draw_record
from integrity.services.draws import draw_freeze, draw_perform, draw_redraw
from lookback.models import SpotCheck
from lookback.selectors import spot_check_findings
from lookback.services import agency_rating_submit, campaign_open, self_check_record
from reviews.models import Certificate
from tests.factories import AgencyFactory, phases_ahead, review_in

pytestmark = pytest.mark.django_db

LOTTERY = "中国福利彩票双色球开奖号码"


@pytest.fixture
def campaign(city_user):
    return campaign_open(year=timezone.localdate().year, actor=city_user, deadlines=phases_ahead())


@pytest.fixture
def firms(campaign, make_enterprise, zhifu, county_user):
    """Eight passed firms of 芝罘区: the first two reviewed by an agency the county's summary
    rated 警告, the third where the county's inspection found a problem, the rest found well."""
    year = campaign.year
    rated, fine = AgencyFactory(name="重收费评审机构"), AgencyFactory(name="认真评审机构")
    firms = []
    for n in range(8):
        firm = make_enterprise(county=zhifu, status=Status.ANNOUNCED, certificate_no=f"S-{n}")
        review = review_in(rated if n < 2 else fine, firm, year, result=Grade.PASS)
        Certificate.objects.create(
            enterprise=firm, review=review, grade=Grade.PASS, number=f"S-{n}",
            issued_on=dt.date(year, 1, 2), valid_until=dt.date(year + 3, 1, 1),
        )  # fmt: skip
        firms.append(firm)
    for n, firm in enumerate(firms[2:5]):
        self_check_record(
            campaign=campaign, enterprise=firm, actor=county_user, system_built=True,
            runs_daily=n != 0, agency_performed=True, problems="隐患台账不全" if n == 0 else "",
        )  # fmt: skip
    agency_rating_submit(
        campaign=campaign, agency=rated, rating="warning", reason="重收费、轻服务",
        actor=county_user, rectify_by=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip
    agency_rating_submit(
        campaign=campaign, agency=fine, rating="good", reason="履职认真", actor=county_user
    )
    return firms


def test_each_firm_shows_what_its_self_check_inspection_and_summary_found(campaign, firms):
    found = spot_check_findings(campaign=campaign, firms=firms)
    assert [found[f.pk]["found"] for f in firms] == [True, True, True] + [False] * 5
    assert found[firms[0].pk]["summary"]["rating"] == "警告，限期整改（重收费、轻服务）"
    assert found[firms[0].pk]["government"] is None  # not inspected: says so, finds nothing
    assert found[firms[2].pk]["government"]["words"] == "日常管理未正常运行；隐患台账不全"
    assert found[firms[3].pk]["government"] == {"words": ""}  # all three points well
    assert found[firms[3].pk]["self"] is None  # the firm's own self-check not filed
    assert found[firms[3].pk]["summary"]["found"] is False  # its agency rated 履职良好


@pytest.mark.parametrize(
    ("problems", "others", "size", "chosen", "quotas"),
    [
        (5, 5, 3, None, (3, 0)),  # by default the firms with findings first
        (1, 5, 3, None, (1, 2)),
        (5, 5, 3, 1, (1, 2)),  # the city's split
        (5, 5, 3, 0, (0, 3)),
        (1, 5, 3, 2, (1, 2)),  # too few with findings: the others make it up
        (5, 1, 4, 0, (3, 1)),  # too few without: the firms with findings make it up
        (0, 2, 3, 3, (0, 2)),  # a county smaller than the size gives what it has
    ],
)
def test_quotas_per_stratum(problems, others, size, chosen, quotas):
    assert spot_check_quotas(problems, others, size, with_findings=chosen) == quotas


def freeze(campaign, city_user, zhifu, tomorrow, **kwargs):
    return draw_freeze(
        kind=Draw.Kind.SPOT_CHECK, year=campaign.year, actor=city_user, campaign=campaign,
        counties=[zhifu], public_value_source=LOTTERY, public_value_date=tomorrow, **kwargs,
    )  # fmt: skip


def test_the_city_draws_the_number_it_chose_from_each_stratum_verifiably(
    campaign, firms, zhifu, city_user, tomorrow, arrive
):
    draw = freeze(campaign, city_user, zhifu, tomorrow, size=4, with_findings=1)
    first = f"{zhifu.code} {zhifu.name} 第1层：自查自纠或总结发现问题"
    second = f"{zhifu.code} {zhifu.name} 第2层：未发现问题"
    assert draw.quotas == {first: 1, second: 3}
    assert {m["code"] for m in draw.members if m["stratum"] == first} == {
        f.credit_code for f in firms[:3]
    }
    assert "从第1层抽取 1 家" in draw.rule
    arrive(tomorrow)
    draw_perform(draw=draw, actor=city_user, public_value="03 11 19 24 28 31 + 07")
    assert algorithm.problems(draw_record(draw)) == []  # anyone recomputes it
    drawn = set(SpotCheck.objects.get(county=zhifu).outcomes.values_list("enterprise", flat=True))
    assert len(drawn) == 4 and len(drawn & {f.pk for f in firms[:3]}) == 1
    again = draw_redraw(
        draw=draw, actor=city_user, reason="抽中企业已停产", public_value_source=LOTTERY,
        public_value_date=tomorrow + dt.timedelta(days=1),
    )  # fmt: skip
    assert again.with_findings == 1 and again.quotas == draw.quotas  # the redraw draws alike


def test_without_a_choice_the_firms_with_findings_come_first(
    campaign, firms, zhifu, city_user, tomorrow
):
    draw = freeze(campaign, city_user, zhifu, tomorrow, size=3)
    assert draw.with_findings is None
    assert draw.quotas == {f"{zhifu.code} {zhifu.name} 第1层：自查自纠或总结发现问题": 3}


def test_the_freeze_form_refuses_more_from_the_first_stratum_than_the_size(city_user):
    form = FreezeForm(
        {"kind": "spot_check", "year": 2026, "size": 3, "with_findings": 4,
         "public_value_source": LOTTERY, "public_value_date": "2099-01-01"},
        user=city_user,
    )  # fmt: skip
    assert not form.is_valid() and "with_findings" in form.errors


def test_the_campaign_s_spot_check_page_shows_the_population_with_findings(
    client, campaign, firms, zhifu, city_user
):
    client.force_login(city_user)
    url = reverse("lookback:spot_checks", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "抽查总体（根据自查自纠和总结情况分层）" in page
    assert firms[0].name not in page  # the counties' counts, the firms on asking
    page = client.get(url, {"county": zhifu.pk}).content.decode()
    assert "已达标企业 8 家（第1层 3 家在前）" in page
    assert page.index(firms[2].name) < page.index(firms[3].name)
    assert "日常管理未正常运行；隐患台账不全" in page
    assert "重收费评审机构：重收费、轻服务" in page


def test_the_city_s_draw_page_shows_the_findings_and_the_public_page_does_not(
    client, campaign, firms, zhifu, city_user, tomorrow
):
    draw = freeze(campaign, city_user, zhifu, tomorrow, size=3)
    client.force_login(city_user)
    own = client.get(draw.get_absolute_url()).content.decode()
    assert "政府排查：日常管理未正常运行；隐患台账不全" in own
    assert "总结：重收费评审机构被考评为警告" in own
    public = client.get(draw.get_public_url()).content.decode()
    assert firms[2].name in public and "隐患台账不全" not in public


def test_the_page_offers_a_draw_only_while_a_county_is_left_to_draw(
    client, campaign, firms, zhifu, city_user, tomorrow, arrive
):
    client.force_login(city_user)
    url = reverse("lookback:spot_checks", args=[campaign.pk])
    draw_link = reverse("integrity:draw_list") + "?kind=spot_check"
    assert draw_link in client.get(url).content.decode().replace("&amp;", "&")
    draw = freeze(campaign, city_user, zhifu, tomorrow, size=3)
    arrive(tomorrow)
    draw_perform(draw=draw, actor=city_user, public_value="12345")
    page = client.get(url).content.decode().replace("&amp;", "&")
    assert draw_link not in page and "各县市区均已抽取" in page
