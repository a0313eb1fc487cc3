"""An event's attendance imported from an xlsx of 统一社会信用代码 (with 姓名、职务): firms matched
in the county's own registry; all or nothing, every error by row and column, in Chinese."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from outreach.models import OutreachEvent

pytestmark = pytest.mark.django_db


def _sheet(rows, name="签到表.xlsx"):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _post(user, upload):
    client = Client()
    client.force_login(user)
    data = {
        "kind": "training", "title": "第一期培训班", "held_on": dt.date(2016, 4, 22),
        "place": "会议室", "organiser": "芝罘区安监局", "firms": "", "people": "",
        "attendance": upload,
    }  # fmt: skip
    return client.post(reverse("outreach:event_create"), data)


@pytest.fixture
def two_firms(make_enterprise, zhifu):
    return [make_enterprise(county=zhifu), make_enterprise(county=zhifu)]


def test_the_firms_and_people_of_the_sheet_are_recorded(county_user, two_firms):
    a, b = two_firms
    sheet = _sheet(
        [["统一社会信用代码", "姓名", "职务"], [a.credit_code, "张三", "主要负责人"],
         [b.credit_code, "李四", "安全员"], [a.credit_code, "王五", "安全管理负责人"]]
    )  # fmt: skip
    assert _post(county_user, sheet).status_code == 302
    event = OutreachEvent.objects.get()
    assert set(event.firms.all()) == {a, b}
    assert [p.name for p in event.attendees.all()] == ["张三", "李四", "王五"]


def test_one_bad_row_refuses_the_whole_sheet_naming_row_and_column(
    county_user, two_firms, make_enterprise, fushan
):
    elsewhere = make_enterprise(county=fushan)
    sheet = _sheet(
        [["统一社会信用代码", "姓名"], [two_firms[0].credit_code, "张三"],
         [elsewhere.credit_code, "李四"], ["", "王五"]]
    )  # fmt: skip
    page = _post(county_user, sheet).content.decode()
    assert not OutreachEvent.objects.exists()
    assert f"第3行「统一社会信用代码」：本县市区企业名录中没有「{elsewhere.credit_code}」" in page
    assert "第4行「统一社会信用代码」：未填写统一社会信用代码" in page


def test_a_sheet_without_the_code_column_is_refused(county_user):
    page = _post(county_user, _sheet([["企业名称"], ["某公司"]])).content.decode()
    assert "须有“统一社会信用代码”列" in page and not OutreachEvent.objects.exists()


def test_a_file_that_is_no_xlsx_is_refused(county_user):
    fake = SimpleUploadedFile("签到表.xlsx", b"not a workbook")
    page = _post(county_user, fake).content.decode()
    assert "不是Excel" in page and not OutreachEvent.objects.exists()


def test_a_code_stored_as_a_number_is_refused(county_user):
    page = _post(county_user, _sheet([["统一社会信用代码"], [9137060012345678.0]])).content.decode()
    assert "第2行「统一社会信用代码」" in page and "存成了数字" in page
