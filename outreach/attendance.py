"""An event's attendance read from an xlsx: one row per person or firm, the firm named by its
统一社会信用代码 (matched in the registry of the recording county), with optional 姓名 and 职务.
All or nothing: any bad row refuses the whole file, each error with its row and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from enterprises.importing import RowError
from enterprises.models import Enterprise
from portal import xlsx

CODE, NAME, POST = "统一社会信用代码", "姓名", "职务"
MAX_ROWS = 2000


@dataclass
class Attendance:
    firms: list[Enterprise] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_attendance(file: IO[bytes], registry: Any) -> Attendance:
    """``registry``: the firms the recording user may name (their county's). Raises
    ``xlsx.FileRejected`` for a file that is no readable sheet with the code column."""
    xlsx.inspect_archive(file, max_rows=MAX_ROWS)
    rows = xlsx.read_first_sheet(file)
    header = [str(cell or "").strip() for cell in (rows[0] if rows else [])]
    if CODE not in header:
        raise xlsx.FileRejected(f"签到表第一行须有“{CODE}”列（可另有“{NAME}”“{POST}”列）")
    at = {name: header.index(name) for name in (CODE, NAME, POST) if name in header}
    body = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(_text(c) for c in row)]
    codes = {_text(_cell(row, at[CODE])).upper() for _, row in body}
    found = {f.credit_code: f for f in registry.filter(credit_code__in=codes)}
    result = Attendance()
    for n, row in body:
        _read_row(result, n, row, at, found)
    result.firms = list(dict.fromkeys(result.firms))
    return result


def _read_row(result: Attendance, n: int, row: list, at: dict, found: dict) -> None:
    code = _text(_cell(row, at[CODE])).upper()
    if isinstance(_cell(row, at[CODE]), float):
        result.errors.append(
            RowError(n, CODE, "统一社会信用代码被Excel存成了数字，请将该列设为文本")
        )
        return
    if not code:
        result.errors.append(RowError(n, CODE, "未填写统一社会信用代码"))
        return
    if code not in found:
        result.errors.append(RowError(n, CODE, f"本县市区企业名录中没有「{code}」"))
        return
    result.firms.append(found[code])
    name = _text(_cell(row, at[NAME])) if NAME in at else ""
    if name:
        result.people.append((name, _text(_cell(row, at[POST])) if POST in at else ""))


def _cell(row: list, index: int) -> Any:
    return row[index] if index < len(row) else ""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
