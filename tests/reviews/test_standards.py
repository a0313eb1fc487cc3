# ruff: noqa: F811 - fixtures are imported from tests.reviews.fixtures_assessment
"""Scoring standards are data: loaded from a TOML file in one transaction, versioned, and a
malformed file is refused with a message that says where the problem is."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from enterprises.choices import SizeClass
from reviews.demo import seed_standards
from reviews.models import ScoringStandard, StandardItem
from reviews.selectors.assessment import NoApplicableStandard, applicable_standard
from reviews.standards import StandardFileError, demo_standard_files, load_standard
from tests.reviews.fixtures_assessment import ON_DATE, standards  # noqa: F401

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


def test_the_demo_standards_load_on_the_eight_elements_and_again_do_nothing(reference):
    assert len(seed_standards()) == 2
    assert seed_standards() == []
    small = ScoringStandard.objects.get(code="YT-GM-XW")
    machinery = ScoringStandard.objects.get(code="YT-GM-JX")
    eight = ["目标职责", "制度化管理", "教育培训", "现场管理", "安全风险管控及隐患排查治理"]
    eight += ["应急管理", "事故管理", "持续改进"]
    for standard in (small, machinery):
        assert list(standard.elements.values_list("name", flat=True)) == eight
    assert small.items.count() == 32
    assert sum(small.items.values_list("points", flat=True)) == 100
    assert machinery.items.count() == 52
    assert StandardItem.objects.filter(standard=machinery, is_veto=True).count() == 5
    assert len(demo_standard_files()) == 2


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
    with pytest.raises(NoApplicableStandard, match="没有施行中的“冶金”行业评定标准"):
        applicable_standard(make_enterprise(size=SizeClass.MEDIUM, industry=metallurgy), ON_DATE)
    with pytest.raises(NoApplicableStandard, match="2016年5月31日没有施行中的小微企业评定标准"):
        applicable_standard(make_enterprise(), dt.date(2016, 5, 31))
