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
