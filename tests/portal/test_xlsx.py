"""Every export goes through portal.xlsx: formula-like text is shown as typed, never run."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from portal.xlsx import xlsx_bytes


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_formula_like_text_is_written_as_text(text):
    sheet = load_workbook(BytesIO(xlsx_bytes(["名称"], [[text]]))).active
    assert sheet["A2"].value == text
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix


def test_numbers_and_dates_keep_their_types_under_a_caption():
    content = xlsx_bytes(
        ["数", "率", "日期"],
        [[3, Decimal("12.5"), dt.date(2016, 6, 30)]],
        caption="烟安监〔2016〕6号",
    )
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "烟安监〔2016〕6号" and rows[1] == ("数", "率", "日期")
    assert rows[2][0] == 3 and rows[2][1] == 12.5 and rows[2][2].date() == dt.date(2016, 6, 30)
