"""The inflated xlsx of issue 15: a workbook of a few MB without a ``<dimension>``, whose sheet
inflates to about 360 MB (730,000 rows), held a worker for 27 s and 1.8 GB before the row
limit refused it. Uploaded through the page now, it is refused by rows counted while the sheet
streams, stopping at the limit plus one: in under 5 s, the process growing by under 300 MB."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises.models import Enterprise
from portal import xlsx
from portal.models import Job

pytestmark = pytest.mark.django_db

INFLATED_MB = 360


def inflated_workbook() -> bytes:
    """Rows of the template's shape, no ``<dimension>``; level-1 deflate keeps the ratio of a
    real sheet (about 60, under the bomb check's 200), so only the row count can refuse it."""
    same = ("芝罘区", "机械", "小型", "30", "芝罘区测试路1号", "张伟", "李芳", "0535-6789792")
    const = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in same)
    block = "".join(
        f'<row><c t="inlineStr"><is><t>91370602MA{n:08d}</t></is></c>'
        f'<c t="inlineStr"><is><t>烟台测试{n}有限公司</t></is></c>{const}</row>'
        for n in range(1, 10_001)
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns:r="r"><sheets><sheet name="企业" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(INFLATED_MB * 1024 * 1024 // len(block)):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _peak_kb() -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


def _reset_peak() -> int:
    """Start the peak (VmHWM) again from the process's resident size now; that size in kB."""
    Path("/proc/self/clear_refs").write_text("5")
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0])


def test_the_inflated_xlsx_is_refused_in_under_5_s_and_300_mb(
    client, county_user, reference, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    data = inflated_workbook()
    inflated = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < xlsx.MAX_UPLOAD_BYTES and inflated > 350 * 1024 * 1024
    assert b"<dimension" not in data
    client.force_login(county_user)
    upload = SimpleUploadedFile("名录.xlsx", data)
    rested = _reset_peak()
    started = time.monotonic()
    response = client.post(reverse("enterprises:import"), {"file": upload}, follow=True)
    seconds = time.monotonic() - started
    grown_mb = (_peak_kb() - rested) / 1024
    page = response.content.decode()
    assert response.status_code == 200
    assert f"超过单次导入上限{xlsx.MAX_ROWS}行" in page
    assert Enterprise.objects.count() == 0
    assert Job.objects.get().result["stage"] == "preview"  # a refusal to show, nothing to run
    assert seconds < 5, f"{seconds:.1f} s"
    assert grown_mb < 300, f"{grown_mb:.0f} MB"
