"""Every export goes through portal.xlsx: formula-like text is shown as typed, never run."""

import datetime as dt
import io
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


def test_a_streamed_sheet_reads_as_the_whole_sheet_does(tmp_path):
    """``iter_first_sheet`` above ``WHOLE_SHEET_ROWS`` streams the XML (memory bounded); it
    gives the same values as calamine: shared and inline strings, numbers, booleans, gaps."""
    from openpyxl import Workbook

    from portal.xlsx import iter_first_sheet, read_first_sheet, stream_xlsx

    wb = Workbook()
    ws = wb.active
    ws.append(["代码", "名称", "人数", "收入", "是否"])
    ws.append(["91370602MA3C0000X1", "烟台 & <鲁宝>", 12, 3.5, True])
    ws.append([])
    ws.append([None, "只有名称", None, None, False])
    out = io.BytesIO()
    wb.save(out)
    streamed = list(iter_first_sheet(out))
    assert [n for n, _ in streamed] == [1, 2, 4]
    whole = read_first_sheet(out)
    for number, cells in streamed:
        assert [c if c is not None else "" for c in cells] == whole[number - 1][: len(cells)]
    inline = io.BytesIO(b"".join(stream_xlsx(["a", "b"], [["甲", 1], ["乙", 2.5]])))
    assert list(iter_first_sheet(inline)) == [(1, ["a", "b"]), (2, ["甲", 1]), (3, ["乙", 2.5])]


def test_a_workbook_part_with_a_dtd_is_refused_not_expanded():
    import zipfile

    from portal.xlsx import FileRejected, iter_first_sheet

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/workbook.xml", '<workbook><sheets><sheet r:id="rId1"/></sheets></workbook>')
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>',
        )
    with pytest.raises(FileRejected):
        list(iter_first_sheet(out))


def test_rows_are_counted_exactly_whatever_their_spelling():
    from portal.xlsx import _row_tags

    sheet = (
        b'<sheetData><row r="1"><c/></row><row>\n</row><row\nr="3"/><x:row r="4"></x:row>'
        b'<rowx/></sheetData><rowBreaks count="1"><brk id="2"/></rowBreaks>'
    )
    assert _row_tags(sheet) == 5  # the unknown <rowx/> too: a count too high only refuses
