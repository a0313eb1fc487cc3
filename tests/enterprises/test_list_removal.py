"""A firm leaves a creation list only for a fixed reason (注销, 关停, 迁出, 不属于工贸行业, 重复)
and with evidence; removals are kept and counted per county."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import CreationListEntry, CreationListRemoval
from enterprises.selectors import removals_by_county
from enterprises.services import creation_list_remove

pytestmark = pytest.mark.django_db


def pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", "application/pdf")


@pytest.fixture
def entry(firm):
    return CreationListEntry.objects.create(
        enterprise=firm, year=2016, target_date=dt.date(2016, 6, 30)
    )


@pytest.mark.parametrize(
    "reason, evidence, field",
    [
        ("", pdf(), "reason"),
        ("搬迁", pdf(), "reason"),  # not one of the fixed reasons
        ("moved_away", None, "evidence"),
    ],
)
def test_a_removal_needs_a_fixed_reason_and_evidence(county_user, entry, reason, evidence, field):
    with pytest.raises(ValidationError) as refused:
        creation_list_remove(actor=county_user, entry=entry, reason=reason, evidence=evidence)
    assert field in refused.value.error_dict
    assert CreationListEntry.objects.filter(pk=entry.pk).exists()


def test_evidence_that_is_not_a_document_is_refused(county_user, entry):
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a document", "application/pdf")
    with pytest.raises(ValidationError, match="不是允许的类型"):
        creation_list_remove(actor=county_user, entry=entry, reason="shut_down", evidence=fake)


def test_removals_are_kept_and_counted_per_county(county_user, city_user, entry, zhifu):
    creation_list_remove(actor=county_user, entry=entry, reason="duplicate", evidence=pdf())
    removal = CreationListRemoval.objects.get()
    assert (removal.county, removal.year, removal.get_reason_display()) == (zhifu, 2016, "重复")
    assert removal.evidence_name == "证明.pdf" and removal.removed_by == county_user
    assert removals_by_county(user=city_user, year=2016) == [
        {"county": "芝罘区", "total": 1, "reasons": ["重复 1家"]}
    ]
    assert removals_by_county(user=city_user, year=2017) == []


def test_the_removal_s_evidence_downloads_in_scope_under_its_uploaded_name(
    client, county_user, entry, make_user, fushan, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    removal = creation_list_remove(
        actor=county_user, entry=entry, reason="moved_away", evidence=pdf("迁出证明.pdf")
    )
    url = f"/enterprises/creation-list/removals/{removal.pk}/evidence/"
    client.force_login(county_user)
    listed = client.get("/enterprises/creation-list/?year=2016").content.decode()
    assert url in listed and "迁出证明.pdf" in listed
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert "%E8%BF%81%E5%87%BA%E8%AF%81%E6%98%8E.pdf" in response["Content-Disposition"]
    client.force_login(make_user(role="county", county=fushan))
    assert client.get(url).status_code == 404


def test_a_removal_s_evidence_missing_from_disk_is_a_404_with_a_message(
    client, county_user, entry, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    removal = creation_list_remove(
        actor=county_user, entry=entry, reason="moved_away", evidence=pdf()
    )
    removal.evidence.storage.delete(removal.evidence.name)
    client.force_login(county_user)
    response = client.get(f"/enterprises/creation-list/removals/{removal.pk}/evidence/")
    assert response.status_code == 404 and "文件" in response.content.decode()
