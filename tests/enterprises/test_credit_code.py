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
