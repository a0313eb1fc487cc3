"""The import: one path, all rows or none, every error with its row, column and reason."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enterprises import importing, services
from enterprises.models import Enterprise
from portal import xlsx
from portal.audit import history_for

from .conftest import row, xlsx_bytes

pytestmark = pytest.mark.django_db


def do_import(file, user=None, **kwargs):
    return services.enterprise_import(actor=user, file=file, **kwargs)


def only_error(plan):
    assert len(plan.errors) == 1, plan.errors
    return plan.errors[0]


def test_a_valid_sheet_creates_every_firm_with_history(sheet, reference, county_user):
    plan = do_import(sheet([row(1), row(2)]), county_user)
    assert plan.ok and plan.new == 2
    firm = Enterprise.objects.get(credit_code=row(1)[0])
    assert firm.county.name == "芝罘区" and firm.size == "small" and firm.employees == 30
    entry = history_for(firm).get()
    assert entry.action == "Excel导入新建" and entry.actor == county_user


def test_reimporting_the_same_file_changes_nothing(sheet, reference):
    data = [row(1), row(2)]
    do_import(sheet(data))
    before = list(Enterprise.objects.order_by("pk").values())
    plan = do_import(sheet(data))
    assert plan.ok and plan.unchanged == 2 and not plan.new and not plan.changed
    assert list(Enterprise.objects.order_by("pk").values()) == before


def test_a_changed_row_updates_the_firm_and_its_history(sheet, reference):
    do_import(sheet([row(1)]))
    plan = do_import(sheet([row(1, employees=45, size="微型")]))
    assert plan.changed == 1
    firm = Enterprise.objects.get(credit_code=row(1)[0])
    assert firm.employees == 45 and firm.size == "micro" and firm.version == 2
    entry = history_for(firm).first()
    assert entry.action == "Excel导入更新"
    assert entry.changes == {"size": ["小型", "微型"], "employees": [30, 45]}


def test_one_bad_row_writes_no_row_at_all(sheet, reference):
    plan = do_import(sheet([row(1), row(2, employees="很多"), row(3)]))
    error = only_error(plan)
    assert (error.row, error.column) == (3, "从业人员数")
    assert Enterprise.objects.count() == 0


def test_a_write_failure_rolls_back_every_row(sheet, reference, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_update", boom)
    do_import(sheet([row(1)]))
    with pytest.raises(RuntimeError):
        do_import(sheet([row(1, employees=99), row(2)]))
    assert Enterprise.objects.count() == 1
    assert Enterprise.objects.get().employees == 30


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"county": "北京市"}, "所属区县", "未知的所属区县「北京市」"),
        ({"industry": "化工"}, "行业", "未知的行业「化工」"),
        ({"size": "特大型"}, "企业规模", "企业规模只能填写大型、中型、小型、微型"),
        ({"credit_code": "91350100M000100Y42"}, "统一社会信用代码", "校验位错误"),
        ({"credit_code": "9135010"}, "统一社会信用代码", "应为18位"),
        ({"credit_code": "91350100M000100YI3"}, "统一社会信用代码", "不允许的字符"),
        ({"credit_code": 913501001234567890}, "统一社会信用代码", "存成了数字"),
        ({"employees": "三十"}, "从业人员数", "应为整数"),
        ({"employees": -3}, "从业人员数", "不能为负数"),
        ({"employees": 12.5}, "从业人员数", "应为整数"),
        ({"name": ""}, "企业名称", "不能为空"),
        ({"name": "长" * 201}, "企业名称", "200"),
        ({"phone": "1" * 31}, "联系电话", "30"),
    ],
)
def test_each_bad_value_is_reported_with_row_column_and_reason(
    sheet, reference, overrides, column, reason
):
    plan = do_import(sheet([row(1), row(2, **overrides)]))
    error = only_error(plan)
    assert (error.row, error.column) == (3, column)
    assert reason in error.message
    assert Enterprise.objects.count() == 0


def test_the_same_code_twice_in_one_file_is_refused(sheet, reference):
    plan = do_import(sheet([row(1), row(2), row(1, name="另一家")]))
    error = only_error(plan)
    assert error.row == 4 and "与第2行" in error.message
    assert Enterprise.objects.count() == 0


def test_a_missing_or_renamed_column_is_named(sheet, reference):
    headers = [h if h != "行业" else "所属行业" for h in importing.HEADERS]
    plan = do_import(sheet([row(1)], headers=headers))
    message = only_error(plan).message
    assert "缺少必需的列：行业" in message and "所属行业" in message
    assert Enterprise.objects.count() == 0


def test_an_empty_sheet_is_refused(sheet, reference):
    assert "空的" in only_error(do_import(sheet([], headers=None))).message
    assert "没有企业数据" in only_error(do_import(sheet([]))).message


def test_a_file_that_is_not_xlsx_is_refused(reference):
    plan = do_import(io.BytesIO("统一社会信用代码,企业名称\n".encode()))
    assert "不是Excel" in only_error(plan).message


def test_a_decompression_bomb_is_refused_before_parsing(reference, monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))

    def never(*args):
        raise AssertionError("the sheet must not be parsed")

    monkeypatch.setattr(xlsx, "read_first_sheet", never)
    assert "压缩炸弹" in only_error(do_import(out)).message
    monkeypatch.setattr(xlsx, "MAX_INFLATED_BYTES", 10 * 1024 * 1024)
    assert "解压后过大" in only_error(do_import(out)).message


def test_too_many_rows_are_refused_from_the_declared_dimension(sheet, reference, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 2)
    plan = do_import(sheet([row(1), row(2), row(3)]))
    assert "超过单次导入上限2行" in only_error(plan).message


def test_county_staff_cannot_import_another_countys_rows(sheet, county_user):
    plan = do_import(sheet([row(1), row(2, county="福山区")]), county_user)
    error = only_error(plan)
    assert (error.row, error.column) == (3, "所属区县") and "芝罘区" in error.message
    assert Enterprise.objects.count() == 0


def test_county_staff_cannot_overwrite_a_firm_registered_elsewhere(
    sheet, county_user, make_enterprise, fushan
):
    elsewhere = make_enterprise(county=fushan)
    plan = do_import(sheet([row(1, credit_code=elsewhere.credit_code)]), county_user)
    message = only_error(plan).message
    assert "已登记在其他县市区" in message and "福山" not in message  # not whose it is


def test_formula_like_text_is_stored_as_typed(sheet, reference):
    do_import(sheet([row(1, name='=HYPERLINK("http://x","点我")', address="+86 路", phone="-1")]))
    firm = Enterprise.objects.get()
    assert firm.name == '=HYPERLINK("http://x","点我")'
    assert (firm.address, firm.phone) == ("+86 路", "-1")


def test_codes_are_normalized_before_matching(sheet, reference):
    code = row(1)[0]
    wide = "\u3000" + code.translate({ord(c): ord(c) + 0xFEE0 for c in code}).lower() + " "
    do_import(sheet([row(1)]))
    plan = do_import(sheet([row(1, credit_code=wide)]))
    assert plan.ok and plan.unchanged == 1


def test_dry_run_writes_nothing(sheet, reference):
    plan = do_import(sheet([row(1)]), dry_run=True)
    assert plan.ok and plan.new == 1 and Enterprise.objects.count() == 0


def test_the_command_imports_and_exits_non_zero_on_any_error(tmp_path, reference, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([row(1), row(2)]))
    call_command("import_enterprises", str(good), "--county", "370602")
    assert Enterprise.objects.count() == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([row(3), row(4, county="福山区")]))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_enterprises", str(bad), "--county", "370602")
    assert "未写入任何记录" in str(excinfo.value)
    assert "第3行「所属区县」" in capsys.readouterr().err
    assert Enterprise.objects.count() == 2


def test_the_command_dry_run_writes_nothing(tmp_path, reference):
    path = tmp_path / "good.xlsx"
    path.write_bytes(xlsx_bytes([row(1)]))
    call_command("import_enterprises", str(path), "--dry-run")
    assert not Enterprise.objects.exists()


def test_the_command_exit_status_is_non_zero(tmp_path, reference, monkeypatch):
    from django.core.management import ManagementUtility
    from django.db import connections

    # run_from_argv closes the connections at the end; the test's transaction still needs its.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a spreadsheet")
    # As run from the shell: CommandError becomes exit status 1.
    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(["manage.py", "import_enterprises", str(path)]).execute()
    assert excinfo.value.code == 1
    assert not Enterprise.objects.exists()


def test_text_with_quotes_commas_and_backslashes_is_stored_exactly(sheet, reference):
    tricky = 'A "B", C\\D；「甲」'
    do_import(sheet([row(1, name=tricky, address="")]))
    firm = Enterprise.objects.get()
    assert (firm.name, firm.address, firm.employees) == (tricky, "", 30)


def test_the_downloaded_template_filled_in_imports(reference):
    from openpyxl import load_workbook

    from enterprises.exports import import_template

    wb = load_workbook(io.BytesIO(import_template()))
    for r, values in enumerate([row(1), row(2)], start=2):
        for c, value in enumerate(values, start=1):
            wb.active.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    plan = do_import(out)
    assert plan.ok and plan.new == 2 and plan.total == 2


def corrupted(data: bytes) -> io.BytesIO:
    """The workbook with the bytes of its first sheet's compressed data overwritten: the zip's
    directory is intact, its entries are not."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = bytearray(data)
    broken[start : start + info.compress_size] = b"\xff" * info.compress_size
    return io.BytesIO(bytes(broken))


def test_a_corrupted_workbook_is_refused_with_a_message(reference):
    plan = do_import(corrupted(xlsx_bytes([row(1), row(2)])))
    message = only_error(plan).message
    assert "已损坏" in message and "Error" not in message


def test_a_corrupted_workbook_uploaded_answers_the_page_not_a_server_error(client, county_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.raise_request_exception = False
    client.force_login(county_user)
    upload = SimpleUploadedFile("名录.xlsx", corrupted(xlsx_bytes([row(1)])).getvalue())
    response = client.post(reverse("enterprises:import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "已损坏" in response.content.decode()


def test_previews_left_unconfirmed_for_a_day_are_removed_by_the_nightly_job(
    reference, county_user, settings, tmp_path
):
    import datetime as dt
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from enterprises.tasks import discard_stale_previews
    from portal.models import Job

    settings.MEDIA_ROOT = tmp_path

    def upload(serial):
        file = SimpleUploadedFile("名录.xlsx", xlsx_bytes([row(serial)]))
        return services.import_upload(actor=county_user, upload=file)

    stale, fresh = upload(1), upload(2)
    Job.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    discard_stale_previews.delay()
    discard_stale_previews.delay()  # a second run does nothing twice
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Job.Status.FAILED and "已清除" in stale.message
    assert not (Path(settings.MEDIA_ROOT) / stale.params["path"]).exists()
    assert fresh.status == Job.Status.QUEUED
    assert (Path(settings.MEDIA_ROOT) / fresh.params["path"]).exists()
    assert history_for(stale).count() == 1


def _without_dimension(data: bytes, *, lie: str | None = None) -> io.BytesIO:
    """The workbook with its first sheet's ``<dimension>`` removed (or replaced by ``lie``)."""
    import re

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"<dimension [^>]*/>", (lie or "").encode(), content)
            target.writestr(info.filename, content)
    return io.BytesIO(out.getvalue())


@pytest.mark.parametrize("lie", [None, '<dimension ref="A1:J2"/>'])
def test_too_many_rows_are_counted_while_streaming_whatever_the_sheet_declares(
    reference, monkeypatch, lie
):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 2)

    def never(*args):
        raise AssertionError("the sheet must not be parsed")

    monkeypatch.setattr(xlsx, "read_first_sheet", never)
    data = _without_dimension(xlsx_bytes([row(n) for n in range(1, 6)]), lie=lie)
    assert "超过单次导入上限2行" in only_error(do_import(data)).message


def test_a_large_sheet_is_streamed_and_checked_like_a_small_one(sheet, reference, monkeypatch):
    """Above ``WHOLE_SHEET_ROWS`` the sheet is streamed in chunks: the same rows are found, the
    same errors named, and an error in a later chunk rolls back the chunks already written."""
    monkeypatch.setattr(xlsx, "WHOLE_SHEET_ROWS", 0)
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    bad = row(5, credit_code="91370602MA3C00000X")
    plan = do_import(sheet([row(1), row(2), row(3), row(4), bad]))
    assert not plan.ok and [e.row for e in plan.errors] == [6]
    assert Enterprise.objects.count() == 0  # the chunks of rows 2–5 were written, then undone
    plan = do_import(sheet([row(1), row(2), row(3), row(4), row(5)]))
    assert plan.ok and plan.new == 5 and Enterprise.objects.count() == 5
