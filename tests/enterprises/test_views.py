"""The registry's pages: who gets what, what they show, and what they cost in queries."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from enterprises import importing
from enterprises.choices import Status
from enterprises.models import CreationListEntry, Enterprise
from portal.audit import history_for
from portal.models import Job
from portal.xlsx import XLSX_MIME
from tests.access import assert_access

from .conftest import row, xlsx_bytes

pytestmark = pytest.mark.django_db


def read_xlsx(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


# --- Permission matrix -------------------------------------------------------------------


def test_who_may_open_the_list_and_its_export(
    city_user, county_user, agency_user, enterprise_user, admin_user
):
    for name, agency_status in (
        ("enterprises:list", 200),
        ("enterprises:export", 200),
        # The creation list is the governments' work plan: agencies have no part in it.
        ("enterprises:creation_list", 403),
        ("enterprises:creation_list_export", 403),
    ):
        assert_access(
            reverse(name),
            {
                None: 302,
                city_user: 200,
                admin_user: 200,
                county_user: 200,
                agency_user: agency_status,
                enterprise_user: 403,
            },
        )


def test_who_may_see_a_firm(
    firm, city_user, county_user, other_county_user, enterprise_user, other_firm_user, agency_user
):
    assert_access(
        reverse("enterprises:detail", args=[firm.pk]),
        {
            None: 302,
            city_user: 200,
            county_user: 200,
            other_county_user: 404,
            enterprise_user: 200,
            other_firm_user: 404,
            agency_user: 404,  # agencies see only firms they review
        },
    )


def test_who_may_edit_a_firm(
    firm, city_user, county_user, other_county_user, enterprise_user, other_firm_user, admin_user
):
    assert_access(
        reverse("enterprises:edit", args=[firm.pk]),
        {
            None: 302,
            city_user: 403,  # the city reads everything and writes nothing here
            county_user: 200,
            other_county_user: 404,
            enterprise_user: 200,
            other_firm_user: 404,
            admin_user: 200,
        },
    )


def test_who_may_create_close_and_import(
    firm, city_user, county_user, other_county_user, enterprise_user, admin_user, agency_user
):
    writers = {
        None: 302,
        city_user: 403,
        county_user: 200,
        admin_user: 200,
        enterprise_user: 403,
        agency_user: 403,
    }
    for url in (
        reverse("enterprises:create"),
        reverse("enterprises:import"),
        reverse("enterprises:import_template"),
    ):
        assert_access(url, writers)
    assert_access(
        reverse("enterprises:close", args=[firm.pk]),
        {
            None: 302,
            city_user: 403,
            county_user: 200,
            other_county_user: 404,
            enterprise_user: 403,
            admin_user: 200,
        },
    )


def test_who_may_change_the_creation_list(
    firm, city_user, county_user, other_county_user, enterprise_user
):
    entry = CreationListEntry.objects.create(enterprise=firm, year=2016, target_date="2016-06-30")
    url = reverse("enterprises:creation_list_remove", args=[entry.pk])
    assert_access(
        url,
        {None: 302, city_user: 403, other_county_user: 404, enterprise_user: 403},
        method="post",
    )
    assert_access(
        reverse("enterprises:creation_list_add") + "?year=2016",
        {None: 302, city_user: 403, enterprise_user: 403},
        method="post",
        data={"credit_code": firm.credit_code, "target_date": "2016-06-30"},
    )
    assert CreationListEntry.objects.filter(pk=entry.pk).exists()


def test_an_import_job_is_seen_only_by_whoever_started_it(
    client, county_user, other_county_user, city_user, sheet
):
    client.force_login(county_user)
    upload = io.BytesIO(xlsx_bytes([row(1)]))
    upload.name = "名录.xlsx"
    response = client.post(reverse("enterprises:import"), {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302
    url = reverse("enterprises:import_job", args=[job.pk])
    assert_access(url, {None: 302, county_user: 200, other_county_user: 404, city_user: 403})
    assert_access(
        reverse("enterprises:import_confirm", args=[job.pk]),
        {None: 302, other_county_user: 404, city_user: 403},
        method="post",
    )
    assert not Enterprise.objects.exists()


# --- The list and its export -------------------------------------------------------------


def test_the_list_filters_and_its_export_is_exactly_the_filtered_list(
    client, city_user, make_enterprise, zhifu, fushan, reference
):
    machinery = reference["industries"][3]
    a = make_enterprise(county=zhifu, name="甲机械", size="small")
    make_enterprise(county=zhifu, name="乙机械", size="micro")
    make_enterprise(county=fushan, name="丙机械", size="small")
    CreationListEntry.objects.create(enterprise=a, year=2016, target_date="2016-06-30")
    client.force_login(city_user)
    params = {"county": zhifu.pk, "industry": machinery.pk, "size": "small", "year": 2016}
    page = client.get(reverse("enterprises:list"), params)
    assert [e.name for e in page.context["page_obj"]] == ["甲机械"]
    rows = read_xlsx(client.get(reverse("enterprises:export"), params))
    assert rows[0][: len(importing.HEADERS)] == importing.HEADERS
    assert [r[1] for r in rows[1:]] == ["甲机械"]
    everything = read_xlsx(client.get(reverse("enterprises:export"), {"sort": "-name"}))
    listed = client.get(reverse("enterprises:list"), {"sort": "-name"}).context["page_obj"]
    assert [r[1] for r in everything[1:]] == [e.name for e in listed]


def test_county_staff_export_only_their_county(client, county_user, make_enterprise, fushan):
    make_enterprise(name="本区企业")
    make_enterprise(county=fushan, name="外区企业")
    client.force_login(county_user)
    rows = read_xlsx(client.get(reverse("enterprises:export")))
    assert [r[1] for r in rows[1:]] == ["本区企业"]


def test_a_formula_like_name_is_exported_harmless(client, city_user, make_enterprise):
    make_enterprise(name='=HYPERLINK("http://evil","点我")')
    client.force_login(city_user)
    data = b"".join(client.get(reverse("enterprises:export")).streaming_content)
    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(data)).active["B2"]
    assert cell.value == '=HYPERLINK("http://evil","点我")'
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula


def test_list_and_export_queries_do_not_grow_with_the_firms(
    client, city_user, make_enterprise, django_assert_max_num_queries
):
    for _ in range(30):
        make_enterprise()
    client.force_login(city_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("enterprises:list")).status_code == 200
    # session, user, session save (two savepoint statements), the count (a large export
    # goes to a task), one query for the rows and the security log's row for the export
    with django_assert_max_num_queries(8):
        b"".join(client.get(reverse("enterprises:export")).streaming_content)
    with django_assert_max_num_queries(7):
        b"".join(client.get(reverse("enterprises:creation_list_export")).streaming_content)


def test_the_template_has_the_exact_headers_and_drop_downs(client, county_user):
    from openpyxl import load_workbook

    client.force_login(county_user)
    wb = load_workbook(io.BytesIO(client.get(reverse("enterprises:import_template")).content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == importing.HEADERS
    ranges = {str(v.sqref).split(":")[0]: v.formula1 for v in ws.data_validations.dataValidation}
    assert set(ranges) == {"C2", "D2", "E2"}
    assert wb["选项"]["C1"].value == "大型"


# --- Writes -----------------------------------------------------------------------------


def test_county_staff_create_a_firm_in_their_own_county(client, county_user, reference, fushan):
    client.force_login(county_user)
    data = {
        "credit_code": " 914403001922038216 ",
        "name": "新企业",
        "industry": reference["industries"][0].pk,
        "size": "micro",
        "employees": 5,
        "county": fushan.pk,
    }
    response = client.post(reverse("enterprises:create"), data)
    firm = Enterprise.objects.get()
    assert response.status_code == 302
    assert firm.county == county_user.county and firm.credit_code == "914403001922038216"
    assert history_for(firm).get().action == "新增企业"


def test_a_bad_credit_code_is_refused_by_the_form(client, county_user, reference):
    client.force_login(county_user)
    response = client.post(
        reverse("enterprises:create"),
        {
            "credit_code": "914403001922038217",
            "name": "x",
            "industry": reference["industries"][0].pk,
            "size": "micro",
        },
    )
    assert response.status_code == 200 and "校验位错误" in response.content.decode()


def test_an_enterprise_user_may_change_only_the_contact_fields(client, enterprise_user, firm):
    client.force_login(enterprise_user)
    response = client.post(
        reverse("enterprises:edit", args=[firm.pk]),
        {"safety_contact": "王芳", "phone": "0535-1", "name": "改名", "version": firm.version},
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert (firm.safety_contact, firm.phone, firm.name) == (
        "王芳",
        "0535-1",
        "烟台芝罘华鑫机械有限公司",
    )
    assert history_for(firm).get().changes["phone"][1] == "0535-1"


def test_a_stale_edit_is_refused(client, county_user, firm):
    client.force_login(county_user)
    data = {
        "credit_code": firm.credit_code,
        "name": "新名",
        "industry": firm.industry_id,
        "size": firm.size,
        "version": firm.version,
    }
    Enterprise.objects.filter(pk=firm.pk).update(version=firm.version + 1)
    response = client.post(reverse("enterprises:edit", args=[firm.pk]), data)
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()


def test_closing_keeps_the_firm_and_its_history(client, county_user, firm):
    client.force_login(county_user)
    client.post(
        reverse("enterprises:close", args=[firm.pk]),
        {"closed_on": "2016-08-01", "reason": "停产注销"},
    )
    firm.refresh_from_db()
    assert firm.closed_on.isoformat() == "2016-08-01"
    assert history_for(firm).get().note == "停产注销"
    assert firm not in client.get(reverse("enterprises:list")).context["page_obj"]


def test_the_creation_list_keeps_its_history(client, county_user, firm):
    client.force_login(county_user)
    client.post(
        reverse("enterprises:creation_list_add") + "?year=2016",
        {"credit_code": firm.credit_code.lower(), "target_date": "2016-09-30"},
    )
    entry = CreationListEntry.objects.get()
    firm.refresh_from_db()
    assert firm.status == Status.LISTED and entry.added_by == county_user
    url = reverse("enterprises:creation_list_remove", args=[entry.pk])
    refused = client.post(url, {"reason": "搬迁"})  # not one of the reasons, and no evidence
    assert refused.status_code == 200 and CreationListEntry.objects.exists()
    evidence = SimpleUploadedFile("注销通知书.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    client.post(url, {"reason": "deregistered", "evidence": evidence})
    firm.refresh_from_db()
    assert firm.status == Status.NOT_LISTED and not CreationListEntry.objects.exists()
    assert [e.action for e in history_for(firm)] == ["移出创建名单", "纳入创建名单"]
    assert "原因：注销" in history_for(firm).first().note
    page = client.get(reverse("enterprises:creation_list"), {"year": 2016}).content.decode()
    assert "移出创建名单的企业（按县市区）" in page and "注销 1家" in page


def test_county_staff_cannot_list_another_countys_firm(
    client, county_user, make_enterprise, fushan
):
    other = make_enterprise(county=fushan)
    client.force_login(county_user)
    client.post(
        reverse("enterprises:creation_list_add") + "?year=2016",
        {"credit_code": other.credit_code, "target_date": "2016-09-30"},
    )
    assert not CreationListEntry.objects.exists()


# --- The import pages ---------------------------------------------------------------------


def upload(client, rows):
    file = io.BytesIO(xlsx_bytes(rows))
    file.name = "名录.xlsx"
    return client.post(reverse("enterprises:import"), {"file": file})


def test_upload_previews_then_confirm_writes(client, county_user, reference):
    client.force_login(county_user)
    job = Job.objects.get(pk=upload(client, [row(1), row(2)]).url.rstrip("/").split("/")[-1])
    page = client.get(reverse("enterprises:import_job", args=[job.pk])).content.decode()
    assert "确认导入" in page and not Enterprise.objects.exists()
    client.post(reverse("enterprises:import_confirm", args=[job.pk]))
    assert Enterprise.objects.count() == 2
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["new"] == 2
    # A replayed confirm is a state refusal said on the page (not a 403), and writes nothing.
    again = client.post(reverse("enterprises:import_confirm", args=[job.pk]), follow=True)
    assert "不能确认导入" in again.content.decode()
    assert Enterprise.objects.count() == 2


def test_the_preview_lists_every_error_and_offers_no_confirm(client, county_user, reference):
    client.force_login(county_user)
    response = upload(client, [row(1, county="福山区"), row(2, size="巨型")])
    page = client.get(response.url).content.decode()
    assert "第2行" in page and "第3行" in page and "确认导入" not in page


def test_a_large_import_runs_as_a_task_with_progress(
    client, county_user, reference, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(importing, "ASYNC_THRESHOLD", 1)
    client.force_login(county_user)
    with django_capture_on_commit_callbacks(execute=True):  # the preview, a task too
        job_url = upload(client, [row(1), row(2), row(3)]).url
    job = Job.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("enterprises:import_confirm", args=[job.pk]))
    # queued after commit, run eagerly here (beside it: the progress cache forgotten again)
    assert len(callbacks) == 2
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == 3
    partial = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert "导入完成" in partial and "<html" not in partial
    assert Enterprise.objects.count() == 3


def test_an_over_large_upload_is_refused_before_reading(client, county_user, monkeypatch):
    from enterprises import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 100)
    client.force_login(county_user)
    response = upload(client, [row(1)])
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert not Job.objects.exists()


def _admin_export(client, admin_user, *firms):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client.post(
        reverse("admin:enterprises_enterprise_changelist"),
        {"action": "export_xlsx", "_selected_action": [firm.pk for firm in firms]},
    )


def test_the_admin_exports_the_selected_firms_with_chinese_headers(client, admin_user, firm):
    from openpyxl import load_workbook

    response = _admin_export(client, admin_user, firm)
    assert response["Content-Type"].startswith(XLSX_MIME)
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert rows[0][0] == "统一社会信用代码" and rows[1][1] == firm.name


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil","点我")', "+1+1", "-2+3", "@SUM(A1)"])
def test_the_admin_export_writes_a_formula_typed_by_a_firm_as_text(
    client, admin_user, make_enterprise, typed
):
    from openpyxl import load_workbook

    firm = make_enterprise(safety_contact=typed)
    data = b"".join(_admin_export(client, admin_user, firm).streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    column = [cell.value for cell in sheet[1]].index("安全管理负责人") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.value == typed and cell.data_type == "s"  # text, never a formula


def test_an_export_imported_again_changes_nothing(client, county_user, sheet, reference):
    from enterprises import services

    services.enterprise_import(
        actor=None, file=sheet([row(1, name="=1+1", phone="-0535"), row(2, employees=None)])
    )
    client.force_login(county_user)
    data = b"".join(client.get(reverse("enterprises:export")).streaming_content)
    plan = services.enterprise_import(actor=county_user, file=io.BytesIO(data))
    assert plan.ok and plan.unchanged == 2 and not plan.new and not plan.changed
    assert "已忽略" in plan.notices[0]


def test_the_creation_list_opens_on_this_year_and_offers_the_years_that_have_lists(
    client, county_user, firm
):
    from portal.http import current_year

    CreationListEntry.objects.create(enterprise=firm, year=2016, target_date="2016-06-30")
    client.force_login(county_user)
    page = client.get(reverse("enterprises:creation_list")).content.decode()
    assert f"{current_year()}年创建名单" in page
    assert '<option value="2016">2016年</option>' in page
    assert firm.name not in page  # this year's list is empty
    chosen = client.get(reverse("enterprises:creation_list") + "?year=2016").content.decode()
    assert firm.name in chosen


def test_county_staff_see_no_county_filter_but_the_city_does(client, county_user, city_user):
    for user, shown in [(county_user, False), (city_user, True)]:
        client.force_login(user)
        page = client.get(reverse("enterprises:creation_list")).content.decode()
        assert ('id="county"' in page) is shown


def test_the_pages_offer_what_each_user_may_do(client, firm, county_user, enterprise_user):
    client.force_login(enterprise_user)
    detail = client.get(firm.get_absolute_url()).content.decode()
    assert "企业自评" in detail and "关闭企业" not in detail and "企业名录</a>" not in detail
    form = client.get(reverse("enterprises:edit", args=[firm.pk])).content.decode()
    assert "企业用户可以修改本企业的安全管理负责人和联系电话" in form
    client.force_login(county_user)
    detail = client.get(firm.get_absolute_url()).content.decode()
    assert "企业自评" not in detail and "关闭企业" in detail
    form = client.get(reverse("enterprises:create")).content.decode()
    assert "县市区用户只能登记本辖区企业" in form and 'name="county"' not in form


def test_a_search_finds_two_character_names_and_codes_by_their_start(
    client, city_user, make_enterprise
):
    short = make_enterprise(name="鲁宝")
    long = make_enterprise(name="烟台鲁宝机械有限公司")
    other = make_enterprise(name="芝罘食品有限公司")
    client.force_login(city_user)

    def found(q: str) -> set[str]:
        page = client.get(reverse("enterprises:list"), {"q": q}).context["page_obj"]
        return {firm.name for firm in page}

    assert found("鲁宝") == {short.name, long.name}
    assert found("宝鲁") == set()  # a pair is read in its order
    latin = make_enterprise(name="烟台ABC精密铸造有限公司")
    assert found("bc") == {latin.name}  # any case, as icontains
    # On PostgreSQL the pairs are a column the database generates: a rename renews them.
    Enterprise.objects.filter(pk=other.pk).update(name="芝罘鲁宝食品有限公司")
    assert found("鲁宝") == {short.name, long.name, "芝罘鲁宝食品有限公司"}
    assert found(other.credit_code[:17].lower()) == {"芝罘鲁宝食品有限公司"}
    assert found(other.credit_code[2:17]) == set()  # the middle of a code is no prefix


def test_a_large_upload_is_previewed_by_a_task_and_confirmed_only_after(
    client, county_user, reference, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(importing, "ASYNC_THRESHOLD", 1)
    client.force_login(county_user)
    data = xlsx_bytes([row(1), row(2), row(3)])
    upload_file = SimpleUploadedFile("大文件.xlsx", data, content_type=XLSX_MIME)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("enterprises:import"), {"file": upload_file})
    job = Job.objects.get()
    assert job.result["stage"] == "previewing" and job.params["rows"] == 3
    page = client.get(response.url).content.decode()
    assert "正在后台读取并校验（共3行）" in page and "确认导入" not in page
    client.post(reverse("enterprises:import_confirm", args=[job.pk]))  # too early: refused
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and Enterprise.objects.count() == 0
    for callback in queued:
        callback()  # the preview task, run eagerly
    job.refresh_from_db()
    assert job.result["stage"] == "preview" and job.result["new"] == 3
    polled = client.get(response.url, headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    assert "确认导入" in client.get(response.url).content.decode()


def test_a_large_export_is_made_by_a_task_and_downloaded_from_its_page(
    client,
    city_user,
    make_enterprise,
    monkeypatch,
    settings,
    tmp_path,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from enterprises import exports

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "ASYNC_ROWS", 2)
    for name in ("甲企业", "乙企业", "丙企业"):
        make_enterprise(name=name)
    client.force_login(city_user)
    with django_capture_on_commit_callbacks(execute=True):  # the task, queued after commit
        response = client.get(reverse("enterprises:export"), {"q": "企业"})
    job = Job.objects.get(kind="enterprise_export")
    assert response.status_code == 302 and response.url == reverse(
        "enterprises:export_job", args=[job.pk]
    )
    assert job.status == Job.Status.DONE and job.result["rows"] == 3  # eager here
    with django_assert_max_num_queries(6):
        page = client.get(response.url).content.decode()
    assert "文件已生成（3行）" in page and "下载Excel文件" in page
    download = client.get(reverse("enterprises:export_download", args=[job.pk]))
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert sorted(r[1] for r in rows[1:]) == sorted(["甲企业", "乙企业", "丙企业"])
    assert "attachment" in download["Content-Disposition"]


def test_a_small_export_still_streams_at_once(client, city_user, make_enterprise):
    make_enterprise()
    client.force_login(city_user)
    response = client.get(reverse("enterprises:export"))
    assert response.status_code == 200 and not Job.objects.filter(kind="enterprise_export")
