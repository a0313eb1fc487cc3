"""Excel files in and out, for every app: the parts that are about the file, not the domain.

- ``inspect_archive``: an xlsx is a zip; its central directory says how many entries it holds
  and how large they inflate to, so a decompression bomb is refused before anything is parsed
  (OWASP ASVS 12.1.2). The first sheet's ``<dimension>`` gives the row count cheaply.
- ``read_first_sheet``: python-calamine (a Rust reader) reads 20,000 rows in about 0.4 s where
  openpyxl's read-only mode needs about 5 s (FIELD-NOTES).
- ``stream_xlsx`` (and ``xlsx_bytes`` for a small file in one piece): a minimal SpreadsheetML
  writer used by every export of the portal. It that streams the zip as rows are produced.
  openpyxl's write-only mode needs 5-9 s for 20,000 rows; this writes them in well under a
  second and never holds the file in memory. Every text cell is an inline *string* with the
  ``quotePrefix`` style, so text such as ``=HYPERLINK(...)`` is shown exactly as typed and no
  spreadsheet evaluates it, even after the cell is edited; numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any
from xml.parsers import expat
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

# Limits checked before parsing. An upload is refused by size first (the view), then by what
# its zip directory declares.
MAX_UPLOAD_BYTES = 30 * 1024 * 1024
MAX_INFLATED_BYTES = 400 * 1024 * 1024
MAX_ENTRIES = 500
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 250_000
# More distinct strings than 20 columns of MAX_ROWS rows could hold is no sheet of ours.
MAX_SHARED_STRINGS = 20 * MAX_ROWS

FORMULA_PREFIXES = ("=", "+", "-", "@")


class FileRejected(Exception):
    """The whole file cannot be imported; the message says why, in Chinese."""


BROKEN = "无法读取Excel文件，文件可能已损坏，请重新保存为.xlsx后再上传"


def inspect_archive(file: IO[bytes], *, max_rows: int | None = None) -> int | None:
    """Refuse what is not an xlsx, or would inflate too far, before any parsing. Returns the
    first sheet's rows as counted (header included), or None if it could not be found."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    file.seek(0)
    if not zipfile.is_zipfile(file):
        raise FileRejected("文件不是Excel（.xlsx）格式，请使用下载的模板另存为.xlsx后再上传")
    file.seek(0)
    try:
        rows = _inspect_entries(file, max_rows + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise FileRejected(BROKEN) from exc  # a directory that lies, a damaged entry
    if rows is not None and rows > max_rows + 1:
        raise FileRejected(f"文件的数据超过单次导入上限{max_rows}行，请分批导入")
    file.seek(0)
    return rows


def _inspect_entries(file: IO[bytes], limit: int) -> int | None:
    """The zip's directory checked against the limits; the first sheet's rows, counted up to
    ``limit`` (header included)."""
    with zipfile.ZipFile(file) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise FileRejected(f"文件结构异常（包含{len(infos)}个部件），已拒绝导入")
        inflated = sum(info.file_size for info in infos)
        if inflated > MAX_INFLATED_BYTES:
            raise FileRejected(
                f"文件解压后过大（{inflated // 1024 // 1024} MB，上限"
                f"{MAX_INFLATED_BYTES // 1024 // 1024} MB），疑似压缩炸弹，已拒绝导入"
            )
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > MAX_COMPRESSION_RATIO * max(
                info.compress_size, 1
            ):
                raise FileRejected("文件压缩比异常，疑似压缩炸弹，已拒绝导入")
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            raise FileRejected("文件不是Excel（.xlsx）格式：缺少工作簿，请使用下载的模板")
        return _counted_rows(archive, _first_sheet_path(archive), limit)


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    workbook = archive.read("xl/workbook.xml")[:200_000].decode("utf-8", "replace")
    match = re.search(r"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")[:200_000].decode("utf-8", "replace")
    except KeyError:
        return None
    if not match:
        return None
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        if f'Id="{match.group(1)}"' in tag:
            target = re.search(r'Target="([^"]+)"', tag)
            if target:
                path = target.group(1).lstrip("/")
                return path if path.startswith("xl/") else f"xl/{path}"
    return None


def _counted_rows(archive: zipfile.ZipFile, path: str | None, limit: int) -> int | None:
    """The rows the first sheet holds, counted while streaming its XML (a ``<dimension>`` may be
    missing or lie): counting stops at ``limit``, so a sheet of millions of rows costs no more
    memory than one chunk and no more time than reading up to the limit."""
    if not path:
        return None
    try:
        sheet = archive.open(path)
    except KeyError:
        return None
    rows, tail = 0, b""
    with sheet:
        while rows <= limit and (chunk := sheet.read(1024 * 1024)):
            window = tail + chunk
            rows += _row_tags(window) - _row_tags(tail)
            tail = window[-16:]
    return rows


PREFIXED_ROW_TAG = re.compile(rb"<\w+:row[\s>/]")


def _row_tags(data: bytes) -> int:
    """How many ``<row>`` start tags ``data`` holds. ``bytes.count`` runs at memory speed (the
    regular expression took 2 s for 250,000 rows); in a worksheet the only other element whose
    name starts with ``row`` is ``rowBreaks``, and a prefixed name (``<x:row``) is rare enough
    for the expression."""
    count = data.count(b"<row") - data.count(b"<rowBreaks")
    if b":row" in data:
        count += len(PREFIXED_ROW_TAG.findall(data))
    return count


def read_first_sheet(file: IO[bytes]) -> list[list[Any]]:
    """All rows of the first sheet from A1, as Python values (str, float, int, date, bool)."""
    from python_calamine import CalamineWorkbook

    file.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(file)
        if not workbook.sheet_names:
            return []
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileRejected(BROKEN) from exc


# Up to this many rows a sheet is read whole by calamine (about 0.4 s and 25 MB per 20,000 rows
# of the enterprise template); above it, streamed (``_SheetStream``: about 4 times slower, but
# its memory does not grow with the sheet: calamine held 200 MB for 200,000 rows).
WHOLE_SHEET_ROWS = 40_000


def iter_first_sheet(file: IO[bytes], *, rows: int | None = None) -> Iterator[tuple[int, list]]:
    """The first sheet's rows as ``(Excel row number, values from column A)``. Values are str,
    int or float (numbers), bool, date, or None (an empty cell). ``rows``: how many rows
    ``inspect_archive`` counted; a sheet above ``WHOLE_SHEET_ROWS`` (or of unknown size) is
    streamed from its XML with memory bounded whatever its size."""
    if rows is not None and rows <= WHOLE_SHEET_ROWS and _shared_bytes(file) <= WHOLE_SHEET_SHARED:
        yield from enumerate(read_first_sheet(file), start=1)
        return
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
        path = _first_sheet_path(archive)
        if path is None:
            return
        shared = _shared_strings(archive)
        with archive.open(path) as sheet:
            yield from _SheetStream(shared).rows(sheet)
    except FileRejected:
        raise
    except (
        zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, ValueError, ExpatError
    ) as exc:  # fmt: skip
        raise FileRejected(BROKEN) from exc


# calamine keeps every shared string as a string of its own (5 million short ones took 340 MB):
# a workbook whose shared strings inflate past this is streamed, its strings packed
# (``_SharedStrings``), however few rows it has.
WHOLE_SHEET_SHARED = 16 * 1024 * 1024


def _shared_bytes(file: IO[bytes]) -> int:
    """How large the workbook's shared strings inflate (0 if it has none or is no zip)."""
    file.seek(0)
    try:
        return zipfile.ZipFile(file).getinfo("xl/sharedStrings.xml").file_size
    except (KeyError, zipfile.BadZipFile, ValueError):
        return 0
    finally:
        file.seek(0)


class _SharedStrings:
    """The shared strings packed in one buffer of UTF-8 with their end offsets: about the size
    of their text, where a list of Python strings costs some 60 bytes more for each."""

    def __init__(self) -> None:
        self.text = bytearray()
        self.ends = array("I")  # offsets within the 400 MB an archive may inflate to

    def append(self, value: str) -> None:
        self.text += value.encode()
        self.ends.append(len(self.text))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self.ends):
            raise IndexError(index)  # a cell pointing past the table: a broken file
        start = self.ends[index - 1] if index else 0
        return self.text[start : self.ends[index]].decode()


def _no_dtd(*args: Any) -> None:
    raise ValueError("a DTD in a workbook part")  # no entity is ever expanded


def _parser(start: Any, end: Any, chars: Any) -> Any:
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    return parser


def _shared_strings(archive: zipfile.ZipFile) -> _SharedStrings:
    """The workbook's shared strings (``t="s"`` cells point into them), rich text joined and
    phonetic runs left out."""
    try:
        part = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return _SharedStrings()
    strings = _SharedStrings()
    pieces: list[str] = []
    state = [False, False]  # inside <t>, inside <rPh>

    def start(tag: str, attrs: dict) -> None:
        name = tag.rpartition(":")[2]
        if name == "si":
            pieces.clear()
        elif name == "t":
            state[0] = not state[1]
        elif name == "rPh":
            state[1] = True

    def end(tag: str) -> None:
        name = tag.rpartition(":")[2]
        if name == "si":
            strings.append("".join(pieces))
            if len(strings) > MAX_SHARED_STRINGS:
                raise FileRejected(
                    f"文件中的文字条目过多（超过{MAX_SHARED_STRINGS}条），疑似异常文件，已拒绝导入"
                )
        elif name == "t":
            state[0] = False
        elif name == "rPh":
            state[1] = False

    def chars(data: str) -> None:
        if state[0]:
            pieces.append(data)

    with part:
        _parser(start, end, chars).ParseFile(part)
    return strings


_LETTERS = {chr(ord("A") + i): i + 1 for i in range(26)}


def _column_of(ref: str) -> int:
    """0-based column of a cell reference such as ``K12``."""
    n = 0
    for ch in ref:
        value = _LETTERS.get(ch)
        if value is None:
            break
        n = n * 26 + value
    return n - 1


class _SheetStream:
    """One expat pass over a worksheet, handing out each row as it closes."""

    def __init__(self, shared: _SharedStrings) -> None:
        self.shared = shared
        self.done: list[tuple[int, list[Any]]] = []
        self.row: list[Any] = []
        self.number = 0
        self.column = 0
        self.kind = "n"
        self.text: list[str] | None = None

    def rows(self, sheet: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
        parser = _parser(self.start, self.end, self.chars)
        while chunk := sheet.read(256 * 1024):
            parser.Parse(chunk, False)
            if self.done:
                yield from self.done
                self.done.clear()
        parser.Parse(b"", True)
        yield from self.done

    def start(self, tag: str, attrs: dict) -> None:
        name = tag[tag.find(":") + 1 :]
        if name == "c":
            ref = attrs.get("r")
            self.column = _column_of(ref) if ref else len(self.row)
            self.kind = attrs.get("t", "n")
        elif name == "v" or name == "t":
            if self.text is None:
                self.text = []
        elif name == "row":
            number = attrs.get("r")
            self.number = int(number) if number else self.number + 1
            self.row = []

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, tag: str) -> None:
        name = tag[tag.find(":") + 1 :]
        if name == "c":
            if self.text is not None:
                value = self._value("".join(self.text))
                self.text = None
                row = self.row
                if self.column >= len(row):
                    row.extend([None] * (self.column - len(row) + 1))
                row[self.column] = value
        elif name == "row":
            self.done.append((self.number, self.row))
        elif name == "rPh":  # a phonetic run is not the cell's text
            self.text = None

    def _value(self, raw: str) -> Any:
        kind = self.kind
        if kind == "inlineStr" or kind == "str" or kind == "e":
            return raw
        if kind == "s":
            return self.shared[int(raw)]
        if kind == "b":
            return raw.strip() == "1"
        if raw.isdigit():
            return int(raw)
        try:
            return float(raw)
        except ValueError:
            return raw


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


# --- Writing ----------------------------------------------------------------------------

_OOXML = "application/vnd.openxmlformats-officedocument"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OOXML}.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_OOXML}.spreadsheetml.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_OOXML}.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: default; 1: bold header; 2: text with quotePrefix (never a formula); 3: date.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# XML 1.0 forbids most control characters; a stray one would make the file unreadable.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value: Any, *, header: bool = False) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, int | float | Decimal) and not header:
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f'<c r="{ref}" s="3"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    text = escape(_ILLEGAL_XML.sub("", str(value)))
    style = 1 if header else 2
    return f'<c r="{ref}" t="inlineStr" s="{style}"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet_rows(
    headers: list[str], rows: Iterable[Iterable[Any]], caption: str = ""
) -> Iterator[str]:
    letters = [_column_letter(i) for i in range(len(headers))]
    top = 1
    if caption:
        yield f'<row r="1">{_cell("A1", caption, header=True)}</row>'
        top = 2
    cells = "".join(
        _cell(f"{col}{top}", h, header=True) for col, h in zip(letters, headers, strict=True)
    )
    yield f'<row r="{top}">{cells}</row>'
    for number, row in enumerate(rows, start=top + 1):
        cells = "".join(
            _cell(f"{col}{number}", value) for col, value in zip(letters, row, strict=False)
        )
        yield f'<row r="{number}">{cells}</row>'


class _Pipe:
    """A write-only file for zipfile whose bytes the generator hands on as they come."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def _workbook_xml(sheet_title: str) -> str:
    title = escape(re.sub(r"[\[\]:*?/\\]", "", sheet_title)[:31] or "Sheet1", {'"': "&quot;"})
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _sheet_head(widths: list[int] | None, *, frozen: int) -> bytes:
    """The sheet's opening: the header row (and caption) frozen, the column widths."""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(widths or [], start=1)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{frozen}" '
            f'topLeftCell="A{frozen + 1}" activePane="bottomLeft" state="frozen"/>'
            "</sheetView></sheetViews>"
        ).encode()
        + (f"<cols>{cols}</cols>".encode() if cols else b"")
        + b"<sheetData>"
    )


def stream_xlsx(
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    sheet_title: str = "Sheet1",
    widths: list[int] | None = None,
    caption: str = "",
) -> Iterator[bytes]:
    """Yield an xlsx file in pieces: one sheet, an optional bold ``caption`` row (a title such
    as an announcement's 文号), a bold header row, then ``rows``."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook_xml(sheet_title))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        yield pipe.drain()
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_sheet_head(widths, frozen=2 if caption else 1))
            buffer: list[str] = []
            for line in _sheet_rows(headers, rows, caption):
                buffer.append(line)
                if len(buffer) >= 500:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
                    yield pipe.drain()
            sheet.write("".join(buffer).encode() + b"</sheetData></worksheet>")
    yield pipe.drain()


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    sheet_title: str = "Sheet1",
    caption: str = "",
) -> bytes:
    """A small workbook in one piece (for storing or attaching); large lists stream instead."""
    return b"".join(stream_xlsx(headers, rows, sheet_title=sheet_title, caption=caption))
