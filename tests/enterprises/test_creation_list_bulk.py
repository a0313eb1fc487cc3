"""Lists in bulk: a county adds firms to its creation list by a filter of the registry (county,
industry, size, not yet on a list) or from an xlsx of credit codes, with a preview, every bad
row named by row, column and reason, and all or nothing written."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.choices import Status
from enterprises.creation_list_bulk import (
    bulk_confirm,
    bulk_preview,
    plan_from_filter,
    plan_from_sheet,
)
from enterprises.models import CreationListEntry, Enterprise
from portal.audit import history_for
from portal.models import Job
from portal.statemachine import TransitionRefused
from portal.xlsx import xlsx_bytes

pytestmark = pytest.mark.django_db

YEAR = 2026
TARGET = dt.date(YEAR, 12, 31)


def sheet(codes, header="统一社会信用代码"):
    return io.BytesIO(xlsx_bytes(["企业名称", header], [["某企业", code] for code in codes]))


@pytest.fixture
def firms(make_enterprise, zhifu):
    return [make_enterprise(county=zhifu) for _ in range(4)]


def test_a_filter_adds_every_open_firm_of_the_county_not_yet_on_the_list(
    county_user, firms, fushan, make_enterprise, reference
):
    make_enterprise(county=fushan)  # another county's firm is never in the county's scope
    firms[0].closed_on = dt.date(YEAR, 1, 5)
    firms[0].save()
    CreationListEntry.objects.create(enterprise=firms[1], year=YEAR, target_date=TARGET)
    plan = plan_from_filter(user=county_user, year=YEAR, filters={})
    assert sorted(plan.ids) == sorted([firms[2].pk, firms[3].pk])
    job = bulk_preview(actor=county_user, year=YEAR, target_date=TARGET, plan=plan)
    assert not CreationListEntry.objects.filter(enterprise__in=firms[2:]).exists()  # preview only
    assert bulk_confirm(actor=county_user, job=job) == 2
    for firm in firms[2:]:
        firm.refresh_from_db()
        assert firm.status == Status.LISTED
        assert history_for(firm).filter(action="纳入创建名单").exists()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_a_filter_by_industry_and_size(county_user, make_enterprise, reference):
    chosen = make_enterprise(industry=reference["industries"][0], size="small")
    make_enterprise(industry=reference["industries"][1], size="small")
    filters = {"industry": reference["industries"][0], "size": "small"}
    assert plan_from_filter(user=county_user, year=YEAR, filters=filters).ids == [chosen.pk]


def test_an_xlsx_of_credit_codes_adds_those_firms(county_user, firms):
    plan = plan_from_sheet(user=county_user, year=YEAR, file=sheet([f.credit_code for f in firms]))
    assert plan.ok and sorted(plan.ids) == sorted(f.pk for f in firms)


def test_every_bad_row_is_named_by_row_column_and_reason_and_nothing_is_written(
    county_user, firms, fushan, make_enterprise
):
    elsewhere = make_enterprise(county=fushan)
    CreationListEntry.objects.create(enterprise=firms[1], year=YEAR, target_date=TARGET)
    bad = firms[0].credit_code[:-1] + ("0" if firms[0].credit_code[-1] != "0" else "1")
    codes = [bad, firms[1].credit_code, elsewhere.credit_code, firms[2].credit_code,
             firms[2].credit_code]  # fmt: skip
    plan = plan_from_sheet(user=county_user, year=YEAR, file=sheet(codes))
    assert not plan.ok
    text = "\n".join(plan.errors)
    assert "第2行 统一社会信用代码（B列）：" in text
    assert (
        f"第3行 统一社会信用代码（B列）：{firms[1].credit_code} 企业已在{YEAR}年创建名单中" in text
    )
    # Another county's firm is simply not in this county's registry: its county is not named.
    assert f"第4行 统一社会信用代码（B列）：本辖区没有代码为 {elsewhere.credit_code} 的企业" in text
    assert fushan.name not in text
    assert f"第6行 统一社会信用代码（B列）：{firms[2].credit_code} 与第5行重复" in text
    with pytest.raises(ValidationError):
        bulk_preview(actor=county_user, year=YEAR, target_date=TARGET, plan=plan)
    assert CreationListEntry.objects.count() == 1 and not Job.objects.exists()


def test_a_sheet_without_the_code_column_or_not_an_xlsx_is_refused(county_user, firms):
    plan = plan_from_sheet(user=county_user, year=YEAR, file=sheet(["x"], header="代码"))
    assert plan.errors == ["第1行：未找到“统一社会信用代码”列，请在第一行填写列名"]
    plan = plan_from_sheet(user=county_user, year=YEAR, file=io.BytesIO(b"not a workbook"))
    assert "不是Excel" in plan.errors[0]


def test_a_firm_listed_between_preview_and_confirm_stops_the_whole_write(county_user, firms):
    plan = plan_from_filter(user=county_user, year=YEAR, filters={})
    job = bulk_preview(actor=county_user, year=YEAR, target_date=TARGET, plan=plan)
    CreationListEntry.objects.create(enterprise=firms[0], year=YEAR, target_date=TARGET)
    with pytest.raises(ValidationError, match=f"{firms[0].name} 已在{YEAR}年创建名单中"):
        bulk_confirm(actor=county_user, job=job)
    assert CreationListEntry.objects.count() == 1
    assert Enterprise.objects.filter(status=Status.LISTED).count() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "未写入任何企业" in job.message


def test_a_replayed_confirm_writes_nothing_twice(county_user, firms, make_user, zhifu):
    plan = plan_from_filter(user=county_user, year=YEAR, filters={})
    job = bulk_preview(actor=county_user, year=YEAR, target_date=TARGET, plan=plan)
    bulk_confirm(actor=county_user, job=Job.objects.get(pk=job.pk))
    with pytest.raises(TransitionRefused):
        bulk_confirm(actor=county_user, job=Job.objects.get(pk=job.pk))
    with pytest.raises(Exception):  # noqa: B017 - another user of the county may not either
        bulk_confirm(actor=make_user(role="county", county=zhifu), job=Job.objects.get(pk=job.pk))
    assert CreationListEntry.objects.count() == 4


def test_the_county_previews_and_confirms_an_upload_through_the_pages(client, county_user, firms):
    client.force_login(county_user)
    page = f"/enterprises/creation-list/bulk/?year={YEAR}"
    assert "批量纳入" in client.get(page).content.decode()
    upload = SimpleUploadedFile("名单.xlsx", sheet([f.credit_code for f in firms]).getvalue())
    response = client.post(
        page, {"source": "sheet", "file": upload, "target_date": TARGET.isoformat()}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "4家" in preview and "确认纳入" in preview and firms[0].name in preview
    assert not CreationListEntry.objects.exists()
    assert client.post(response["Location"]).status_code == 302
    assert CreationListEntry.objects.filter(year=YEAR).count() == 4


def test_the_page_lists_the_bad_rows_and_writes_nothing(client, county_user, firms):
    client.force_login(county_user)
    upload = SimpleUploadedFile("名单.xlsx", sheet(["91370602MA3C000000"]).getvalue())
    response = client.post(
        f"/enterprises/creation-list/bulk/?year={YEAR}",
        {"source": "sheet", "file": upload, "target_date": TARGET.isoformat()},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "第2行 统一社会信用代码（B列）" in body
    assert "未写入任何企业" in body and not Job.objects.exists()
