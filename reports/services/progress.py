"""The weekly progress report: a dated snapshot of every county, stored and written as xlsx."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal.xlsx import xlsx_bytes

from ..models import ProgressRow, ProgressSnapshot
from ..rules import rate
from ..selectors import every_county_progress

ROW_FIELDS = [
    "listed", "self_assessed", "applied", "under_review", "passed", "target",
    "expected_today", "projected", "on_time", "late", "missing", "rank",
]  # fmt: skip
HEADER = [
    "排名", "县市区", "纳入名单", "已开展自评", "已申请评审", "评审中", "已达标", "名单达标率",
    "年度目标", "完成目标", "按时间表应达标", "时间表完成度", "年底预计达标",
    "按时上报", "逾期上报", "未上报",
]  # fmt: skip


def bulletin_table(rows) -> list[list]:
    return [
        [
            r.rank, r.county.name, r.listed, r.self_assessed, r.applied, r.under_review,
            r.passed, round(rate(r.passed, r.listed) * 100, 1),
            r.target, round(r.vs_target * 100, 1),
            r.expected_today, round(r.vs_timetable * 100, 1), r.projected,
            r.on_time, r.late, r.missing,
        ]
        for r in rows
    ]  # fmt: skip


def build_progress_report(*, today: dt.date, year: int | None = None) -> ProgressSnapshot:
    """Take (or retake) the snapshot of ``today`` for the year and write its workbook. A past
    ``today`` counts each firm as it stood that day (from the transition history), so re-running
    last Monday's report gives last Monday's numbers."""
    year = year or today.year
    as_of = today < timezone.localdate()
    progress = every_county_progress(year=year, today=today, as_of=as_of)
    with transaction.atomic():
        snap, _ = ProgressSnapshot.objects.get_or_create(year=year, taken_on=today)
        snap.rows.all().delete()
        rows = ProgressRow.objects.bulk_create(
            [
                ProgressRow(
                    snapshot=snap, county=p.county, **{f: getattr(p, f) for f in ROW_FIELDS}
                )
                for p in progress
            ]
        )
        rows.sort(key=lambda r: (r.rank, r.county.sort_order))
        content = xlsx_bytes(HEADER, bulletin_table(rows), sheet_title=f"{today:%Y-%m-%d}进度")
        if snap.workbook:
            snap.workbook.delete(save=False)
        snap.workbook.save(f"progress-{today:%Y-%m-%d}.xlsx", ContentFile(content), save=True)
    return snap
