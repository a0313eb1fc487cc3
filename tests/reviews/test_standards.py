# ruff: noqa: F811 - fixtures are imported from tests.reviews.fixtures_assessment
"""Scoring standards are data: loaded from a TOML file in one transaction, versioned, and a
malformed file is refused with a message that says where the problem is."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from enterprises.choices import SizeClass
from reviews.choices import StandardIssuer, StandardKind
from reviews.demo import seed_standards
from reviews.models import ScoringStandard, StandardItem
from reviews.selectors.assessment import (
    NoApplicableStandard,
    applicable_standard,
    standard_shapes,
)
from reviews.standards import StandardFileError, demo_standard_files, load_standard
from tests.reviews.fixtures_assessment import (  # noqa: F401
    ON_DATE,
    assessment,
    listed_firm,
    standards,
)

pytestmark = pytest.mark.django_db

GOOD = """
code = "T-1"
version = "1"
name = "测试标准"
kind = "industry"
industry = "机械"
effective_from = 2016-06-01

[[elements]]
name = "目标职责"

[[elements.items]]
code = "1.1"
content = "制定安全生产目标"
points = 5

[[elements.items]]
code = "1.2"
content = "配备安全管理人员"
points = 5
veto = true
"""


def write(tmp_path, text, name="standard.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, text) -> str:
    with pytest.raises(StandardFileError) as caught:
        load_standard(write(tmp_path, text))
    assert not ScoringStandard.objects.exists(), "a refused file must load nothing"
    return "\n".join(caught.value.messages)


def test_a_well_formed_file_loads_elements_and_items_in_order(reference, tmp_path):
    standard = load_standard(write(tmp_path, GOOD))
    assert standard.industry.name == "机械"
    assert standard.elements.get().name == "目标职责"
    items = list(standard.items.order_by("order").values_list("code", "points", "is_veto"))
    assert items == [("1.1", Decimal(5), False), ("1.2", Decimal(5), True)]


def test_a_duplicate_item_code_is_refused_naming_both_places(reference, tmp_path):
    text = GOOD.replace('code = "1.2"', 'code = "1.1"')
    message = refused(tmp_path, text)
    assert "第1个一级要素“目标职责”第2项（编号 1.1）：编号重复" in message


def test_non_positive_points_are_refused(reference, tmp_path):
    message = refused(tmp_path, GOOD.replace("points = 5\nveto", "points = 0\nveto"))
    assert "第2项（编号 1.2）：分值必须为正数" in message


def test_points_with_two_decimals_are_refused(reference, tmp_path):
    assert "最多保留一位小数" in refused(
        tmp_path, GOOD.replace("points = 5\n", "points = 2.25\n", 1)
    )


def test_a_file_without_elements_is_refused(reference, tmp_path):
    head = GOOD.split("[[elements]]")[0]
    assert "缺少一级要素" in refused(tmp_path, head)


def test_an_element_without_items_or_name_is_refused(reference, tmp_path):
    text = GOOD + '\n[[elements]]\nname = ""\n'
    assert "第2个一级要素缺少“name”" in refused(tmp_path, text)
    assert "第2个一级要素没有评分项" in refused(tmp_path, text)


def test_an_unknown_industry_is_refused_listing_the_known_ones(reference, tmp_path):
    message = refused(tmp_path, GOOD.replace('industry = "机械"', 'industry = "航天"'))
    assert "未知行业“航天”" in message and "冶金" in message


def test_an_industry_standard_without_industry_is_refused(reference, tmp_path):
    assert "必须填写“industry”" in refused(tmp_path, GOOD.replace('industry = "机械"\n', ""))


def test_an_unknown_kind_and_a_bad_date_are_both_reported(reference, tmp_path):
    text = GOOD.replace('kind = "industry"', 'kind = "large"').replace(
        "effective_from = 2016-06-01", 'effective_from = "六月"'
    )
    message = refused(tmp_path, text)
    assert "“kind”应为" in message and "“effective_from”应为日期" in message


def test_a_version_already_loaded_is_refused(reference, tmp_path):
    load_standard(write(tmp_path, GOOD))
    with pytest.raises(StandardFileError, match="版本 1 已经导入"):
        load_standard(write(tmp_path, GOOD))
    assert ScoringStandard.objects.count() == 1
    load_standard(write(tmp_path, GOOD.replace('version = "1"', 'version = "2"')))
    assert ScoringStandard.objects.count() == 2


def test_a_file_that_is_not_toml_is_refused(reference, tmp_path):
    assert "不是有效的 TOML" in refused(tmp_path, "code = \n[[")


def test_the_command_reports_every_problem_in_chinese(reference, tmp_path):
    path = write(tmp_path, GOOD.replace("points = 5\n", "points = -1\n", 1))
    with pytest.raises(CommandError, match="未导入，发现以下问题"):
        call_command("load_standard", str(path))
    call_command("load_standard", str(write(tmp_path, GOOD, "ok.toml")))
    assert ScoringStandard.objects.filter(code="T-1").exists()


THIRTEEN = [
    "目标", "组织机构和职责", "安全生产投入", "法律法规与安全管理制度", "教育培训",
    "生产设备设施", "作业安全", "隐患排查和治理", "重大危险源监控", "职业健康", "应急救援",
    "事故报告调查和处理", "绩效评定和持续改进",
]  # fmt: skip
EIGHT_INDUSTRIES = ["冶金", "有色", "建材", "机械", "轻工", "纺织", "烟草", "商贸"]


def shape(standard):
    (found,) = standard_shapes(ScoringStandard.objects.filter(pk=standard.pk))
    return found.categories, found.projects, found.contents, found.points


def test_the_demo_standards_load_in_the_2016_layout_and_again_do_nothing(reference):
    assert len(seed_standards()) == 10
    assert seed_standards() == []
    for standard in ScoringStandard.objects.all():
        assert list(standard.elements.values_list("name", flat=True)) == THIRTEEN, standard


def test_the_provincial_small_micro_standard_has_the_shandong_shape(reference):
    seed_standards()
    small = ScoringStandard.objects.get(code="SD-XW")
    assert (small.kind, small.issuer) == (StandardKind.SMALL_MICRO, StandardIssuer.PROVINCE)
    # 13 categories, 35 items (二级项目), 135 contents, 1,000 points
    assert shape(small) == (13, 35, 135, Decimal(1000))


def test_every_industry_has_a_graded_standard_with_veto_items(reference):
    seed_standards()
    graded = ScoringStandard.objects.filter(kind=StandardKind.INDUSTRY)
    assert sorted(graded.values_list("industry__name", flat=True)) == sorted(EIGHT_INDUSTRIES)
    for standard in graded:
        assert StandardItem.objects.filter(standard=standard, is_veto=True).count() >= 2
    assert len(demo_standard_files()) == 10


def test_a_graded_firm_in_any_industry_can_start(reference, make_enterprise):
    seed_standards()
    for industry in reference["industries"]:
        firm = make_enterprise(size=SizeClass.MEDIUM, industry=industry)
        assert applicable_standard(firm, ON_DATE).industry == industry


def test_a_project_groups_contents_and_a_category_may_list_items_directly(reference, tmp_path):
    text = GOOD.replace(
        '[[elements]]\nname = "目标职责"\n',
        '[[elements]]\nname = "目标"\n\n[[elements.projects]]\nname = "目标制定"\n'
        'items = [ { code = "0.1", points = 2, content = "制定目标" } ]\n\n'
        '[[elements]]\nname = "目标职责"\n',
    )
    standard = load_standard(write(tmp_path, text))
    items = list(standard.items.order_by("order").values_list("code", "project", "element__name"))
    assert items == [("0.1", "目标制定", "目标"), ("1.1", "", "目标职责"), ("1.2", "", "目标职责")]
    assert shape(standard)[:3] == (2, 2, 3)


def test_a_category_with_both_projects_and_items_or_an_empty_project_is_refused(
    reference, tmp_path
):
    both = GOOD.replace(
        '[[elements.items]]\ncode = "1.1"',
        '[[elements.projects]]\nname = "空项目"\n\n[[elements.items]]\ncode = "1.1"',
        1,
    )
    problems = refused(tmp_path, both)
    assert "“projects”与“items”只能二选一" in problems
    empty = GOOD.replace(
        '[[elements]]\nname = "目标职责"\n',
        '[[elements]]\nname = "目标"\n\n[[elements.projects]]\nname = "目标制定"\n\n'
        '[[elements]]\nname = "目标职责"\n',
    )
    assert "第1个一级要素“目标”第1个二级项目“目标制定”没有考评内容" in refused(tmp_path, empty)


def test_an_unknown_issuer_is_refused(reference, tmp_path):
    text = GOOD.replace('kind = "industry"', 'kind = "industry"\nissuer = "county"')
    assert "“issuer”应为 province 或 nation" in refused(tmp_path, text)


def test_small_and_micro_firms_are_judged_by_the_small_micro_standard(
    standards,
    make_enterprise,
):
    firm = make_enterprise(size=SizeClass.MICRO)
    assert applicable_standard(firm, ON_DATE) == standards["small_micro"]


def test_larger_firms_are_judged_by_their_industrys_standard(
    standards,
    make_enterprise,
    reference,
):
    machinery = next(i for i in reference["industries"] if i.name == "机械")
    firm = make_enterprise(size=SizeClass.LARGE, industry=machinery)
    assert applicable_standard(firm, ON_DATE) == standards["machinery"]


def test_no_standard_in_force_is_a_clear_error(standards, make_enterprise, reference):
    metallurgy = next(i for i in reference["industries"] if i.name == "冶金")
    before = dt.date(2016, 5, 31)
    with pytest.raises(NoApplicableStandard, match="5月31日没有施行中的“冶金”行业评定标准"):
        applicable_standard(make_enterprise(size=SizeClass.MEDIUM, industry=metallurgy), before)
    with pytest.raises(NoApplicableStandard, match="2016年5月31日没有施行中的小微企业评定标准"):
        applicable_standard(make_enterprise(), dt.date(2016, 5, 31))


# --- Two small/micro standards in force: the county decides --------------------------------


def test_with_two_small_micro_standards_in_force_the_provincial_one_applies_until_the_county_chooses(  # noqa: E501
    standards, make_enterprise, county_user, fushan
):
    from django.utils import timezone

    from reviews.services.standards import county_standard_choose

    firm = make_enterprise(size=SizeClass.MICRO, county=county_user.county)
    other = make_enterprise(size=SizeClass.MICRO, county=fushan)
    today = timezone.localdate()
    assert applicable_standard(firm, today).code == "SD-XW"
    county_standard_choose(actor=county_user, county=county_user.county, code="GJ-XW")
    assert applicable_standard(firm, today).code == "GJ-XW"
    assert applicable_standard(other, today).code == "SD-XW"  # another county's firms


def test_only_the_countys_own_staff_choose_and_only_a_small_micro_standard_in_force(
    standards, county_user, make_user, fushan, city_user
):
    from django.core.exceptions import PermissionDenied, ValidationError

    from portal.audit import history_for
    from reviews.models import CountyStandard
    from reviews.services.standards import county_standard_choose

    county = county_user.county
    for user in (make_user(role="county", county=fushan), city_user):
        with pytest.raises(PermissionDenied):
            county_standard_choose(actor=user, county=county, code="GJ-XW")
    with pytest.raises(ValidationError, match="不是施行中的小微企业评定标准"):
        county_standard_choose(actor=county_user, county=county, code="HY-JX")
    choice = county_standard_choose(actor=county_user, county=county, code="GJ-XW")
    county_standard_choose(actor=county_user, county=county, code="SD-XW")
    assert CountyStandard.objects.get(county=county).small_micro_code == "SD-XW"
    changes = [entry.changes for entry in history_for(choice)]
    assert changes == [
        {"small_micro_code": ["GJ-XW", "SD-XW"]},
        {"small_micro_code": [None, "GJ-XW"]},
    ]


def test_a_self_assessment_started_keeps_its_standard_when_the_county_chooses_another(
    assessment, county_user
):
    from reviews.services.standards import county_standard_choose

    county_standard_choose(actor=county_user, county=county_user.county, code="GJ-XW")
    assessment.refresh_from_db()
    assert assessment.standard.code == "SD-XW"


def test_the_standards_page_lists_the_shapes_and_takes_the_countys_choice(
    standards, county_user, enterprise_user
):
    from django.test import Client
    from django.urls import reverse

    from reviews.models import CountyStandard

    url = reverse("reviews:standard_list")
    firm = Client()
    firm.force_login(enterprise_user)
    page = firm.get(url).content.decode()
    assert "山东省冶金等工贸行业小微型企业安全生产标准化评定通用标准" in page
    assert '<td class="text-end">135</td>' in page and "保存选定" not in page
    county = Client()
    county.force_login(county_user)
    response = county.get(url)
    assert "保存选定" in response.content.decode()
    # Until the county chooses, the list opens on the provincial standard, which applies.
    assert response.context["form"]["code"].value() == "SD-XW"
    assert "本县市区未选定，按省级标准" in response.content.decode()
    response = county.post(url, {"code": "GJ-XW"})
    assert response.status_code == 302
    assert CountyStandard.objects.get(county=county_user.county).small_micro_code == "GJ-XW"
    assert county.get(url).context["form"]["code"].value() == "GJ-XW"
