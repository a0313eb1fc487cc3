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


def _with_shared_strings(count: int, rows: int) -> io.BytesIO:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns:r="r"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            "<sst>" + "".join(f"<si><t>企业{n}</t></si>" for n in range(count)) + "</sst>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            "<worksheet><sheetData>"
            + "".join(f'<row><c t="s"><v>{n}</v></c></row>' for n in range(rows))
            + "</sheetData></worksheet>",
        )
    return out


def test_shared_strings_are_packed_not_kept_as_a_string_each():
    """5 million short shared strings took 340 MB as a list (and in calamine): packed, the
    table costs about its text and four bytes an entry."""
    import sys
    import zipfile

    from portal.xlsx import _shared_strings

    archive = zipfile.ZipFile(_with_shared_strings(200_000, 3))
    shared = _shared_strings(archive)
    assert len(shared) == 200_000 and shared[0] == "企业0" and shared[199_999] == "企业199999"
    size = sys.getsizeof(shared.text) + shared.ends.itemsize * len(shared.ends)
    assert size / len(shared) < 20  # a list of str: about 80 bytes each
    with pytest.raises(IndexError):
        shared[200_000]


def test_a_workbook_with_large_shared_strings_is_streamed_however_few_its_rows(monkeypatch):
    from portal import xlsx

    def never(*args):
        raise AssertionError("calamine keeps every shared string: not for this file")

    monkeypatch.setattr(xlsx, "read_first_sheet", never)
    monkeypatch.setattr(xlsx, "WHOLE_SHEET_SHARED", 1024)
    data = _with_shared_strings(1000, 3)
    rows = xlsx.inspect_archive(data)
    assert list(xlsx.iter_first_sheet(data, rows=rows)) == [
        (1, ["企业0"]),
        (2, ["企业1"]),
        (3, ["企业2"]),
    ]


def test_more_shared_strings_than_a_sheet_could_hold_are_refused(monkeypatch):
    from portal import xlsx

    monkeypatch.setattr(xlsx, "MAX_SHARED_STRINGS", 100)
    data = _with_shared_strings(101, 3)
    with pytest.raises(xlsx.FileRejected, match="文字条目过多"):
        list(xlsx.iter_first_sheet(data, rows=None))  # streamed, as any large table is


def test_a_cell_pointing_past_the_shared_strings_is_a_broken_file():
    from portal import xlsx

    data = _with_shared_strings(2, 3)  # the third row points at string 2 of 0..1
    with pytest.raises(xlsx.FileRejected, match="文件可能已损坏"):
        list(xlsx.iter_first_sheet(data, rows=None))
