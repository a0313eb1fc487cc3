"""统一社会信用代码 per GB 32100-2015, with the embedded GB 11714 organization code."""

import pytest

from enterprises.credit_code import (
    check_character,
    credit_code_error,
    make_credit_code,
    normalize,
    org_check_character,
)

# The standard's own published example.
STANDARD_EXAMPLE = "91350100M000100Y43"


def test_the_standards_example_is_valid():
    assert credit_code_error(STANDARD_EXAMPLE) is None


def test_check_character_maps_31_to_zero():
    # Weighted sum divisible by 31 gives check value 31, written "0".
    assert check_character("00000000000000000") == "0"


def test_organization_code_check_writes_ten_as_x():
    assert org_check_character("D2143569") == "X"  # GB 11714's worked example


def test_a_wrong_check_character_is_refused():
    assert "校验位" in credit_code_error(STANDARD_EXAMPLE[:-1] + "2")


@pytest.mark.parametrize(
    ("code", "reason"),
    [("91350100M000100Y4", "18位"), ("91350100M000100YI3", "不允许的字符"), ("", "18位")],
)
def test_bad_codes_say_why(code, reason):
    assert reason in credit_code_error(code)


def test_input_is_normalized():
    raw = "\u3000９１３５０１００ｍ０００１００ｙ４３ "
    assert normalize(raw) == STANDARD_EXAMPLE


def test_generated_demo_codes_are_valid():
    for serial in range(0, 5000, 7):
        assert credit_code_error(make_credit_code("370602", serial)) is None


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",  # 华为技术有限公司, as published on its business licence
        "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
        "91330100799655058B",  # 阿里巴巴（中国）有限公司
    ],
)
def test_real_published_codes_are_valid(code):
    assert credit_code_error(code) is None


def test_a_typing_slip_in_a_real_code_is_caught():
    assert "校验位" in credit_code_error("914403001922038217")
    # two neighbouring characters swapped
    assert credit_code_error("914403001922038261") is not None


def test_lower_case_and_full_width_input_becomes_the_canonical_code():
    assert normalize("\u3000９１４４０３００７１５２６７２６ｘｇ\u3000") == "9144030071526726XG"
    assert normalize(None) == ""
