"""Excel sheets for the import tests, built in memory (no binary files in git)."""

import io

import pytest
from openpyxl import Workbook

from enterprises.credit_code import make_credit_code
from enterprises.importing import HEADERS


def xlsx_bytes(rows, headers=HEADERS, *, numeric_codes=False) -> bytes:
    wb = Workbook()
    ws = wb.active
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text (as Excel does after a leading ')
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(serial: int, **overrides) -> list:
    values = {
        "credit_code": make_credit_code("370602", 60_000_000 + serial),
        "name": f"烟台导入测试{serial}有限公司",
        "county": "芝罘区",
        "industry": "机械",
        "size": "小型",
        "employees": 30,
        "address": "芝罘区测试路1号",
        "legal_representative": "张伟",
        "safety_contact": "李芳",
        "phone": "0535-6789792",
        "revenue": None,
    }
    values.update(overrides)
    return list(values.values())


@pytest.fixture
def sheet():
    """``sheet(rows, headers=...)`` -> a file-like xlsx."""

    def build(rows, **kwargs):
        return io.BytesIO(xlsx_bytes(rows, **kwargs))

    return build


@pytest.fixture
def other_county_user(make_user, fushan):
    return make_user(role="county", county=fushan)


@pytest.fixture
def admin_user(make_user):
    return make_user(role="admin")


@pytest.fixture
def other_firm_user(make_user, make_enterprise, fushan):
    return make_user(role="enterprise", enterprise=make_enterprise(county=fushan))
