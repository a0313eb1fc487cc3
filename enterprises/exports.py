"""Excel files the registry hands out: the import template and the exports of its lists."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from portal.xlsx import stream_xlsx

from .choices import Grade, SizeClass, Status
from .importing import HEADERS
from .models import County, CreationListEntry, Enterprise, Industry

TEMPLATE_ROWS = 5000  # rows that carry the drop-down lists
WIDTHS = [22, 36, 14, 10, 10, 12, 36, 12, 14, 16, 16]
EXPORT_HEADERS = [*HEADERS, "创建状态", "等级", "等级有效期至", "关闭日期"]
EXPORT_WIDTHS = [*WIDTHS, 14, 8, 14, 12]


def import_template() -> bytes:
    """The template: the exact headers, text format for the code, and drop-down lists for
    county, industry and size fed from a hidden sheet (a list longer than 255 characters
    cannot sit in the validation itself)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = width
    for row in range(2, TEMPLATE_ROWS + 2):
        ws.cell(row=row, column=1).number_format = "@"
        ws.cell(row=row, column=10).number_format = "@"
    ws.freeze_panes = "A2"

    _drop_downs(wb, ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _drop_downs(wb: Workbook, ws: Any) -> None:
    """County, industry and size lists on a hidden sheet, offered as drop-downs."""
    options = wb.create_sheet("选项")
    lists = {
        "C": [c.name for c in County.objects.current()],
        "D": [i.name for i in Industry.objects.all()],
        "E": [label for _, label in SizeClass.choices],
    }
    for column, (letter, values) in enumerate(lists.items(), start=1):
        for row, value in enumerate(values, start=1):
            options.cell(row=row, column=column, value=value)
        source = get_column_letter(column)
        validation = DataValidation(
            type="list",
            formula1=f"选项!${source}$1:${source}${max(len(values), 1)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="输入有误",
            error="请从下拉列表中选择",
        )
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(validation)
    options.sheet_state = "hidden"


def enterprise_rows(qs: QuerySet[Enterprise]) -> Iterator[list]:
    """Plain tuples, not model instances: a third of the time for 20,000 rows."""
    sizes, statuses, grades = dict(SizeClass.choices), dict(Status.choices), dict(Grade.choices)
    columns = [
        "credit_code",
        "name",
        "county__name",
        "industry__name",
        "size",
        "employees",
        "address",
        "legal_representative",
        "safety_contact",
        "phone",
        "revenue",
        "status",
        "grade",
        "grade_valid_until",
        "closed_on",
    ]
    for values in qs.values_list(*columns).iterator(chunk_size=2000):
        row = list(values)
        row[4] = sizes.get(row[4], row[4])
        row[11] = statuses.get(row[11], row[11])
        row[12] = grades.get(row[12], row[12])
        yield row


# Above this many rows the list's export is made by a Celery task (``services.export_start``)
# and downloaded from its job's page: 200,000 rows took 10 s of a web worker.
ASYNC_ROWS = 5000


def enterprise_export(qs: QuerySet[Enterprise], *, rows: Any = None) -> Iterator[bytes]:
    """The list as the user filtered it; its first columns are the import template's.
    ``rows`` wraps the row stream (the export task counts its progress with it)."""
    stream = enterprise_rows(qs)
    return stream_xlsx(
        EXPORT_HEADERS,
        rows(stream) if rows else stream,
        sheet_title="企业名录",
        widths=EXPORT_WIDTHS,
    )


def creation_list_export(qs: QuerySet[CreationListEntry]) -> Iterator[bytes]:
    headers = ["年度", "统一社会信用代码", "企业名称", "所属区县", "行业", "企业规模"]
    headers += ["计划达标日期", "创建状态", "纳入时间"]
    rows = (
        [
            entry.year,
            entry.enterprise.credit_code,
            entry.enterprise.name,
            entry.enterprise.county.name,
            entry.enterprise.industry.name,
            entry.enterprise.get_size_display(),
            entry.target_date,
            entry.enterprise.get_status_display(),
            entry.added_at.date(),
        ]
        for entry in qs.select_related(
            "enterprise", "enterprise__county", "enterprise__industry"
        ).iterator(chunk_size=2000)
    )
    return stream_xlsx(
        headers, rows, sheet_title="创建名单", widths=[8, 22, 36, 14, 10, 10, 14, 14, 14]
    )
