"""Adding many firms to a year's creation list at once (纳入创建名单，批量): from a filter of
the registry (county, industry, size, not yet on the year's list) or from an xlsx of credit
codes. Like the registry import: a preview first, every bad row named by row, column and
reason, and one transaction that writes every firm or none.

The preview is kept in a ``portal.models.Job`` row (the firms' ids, the year and the target
date); confirming claims the queued job (``CREATION_LIST_BULK``), checks the firms again and
writes them with ``portal.bulk`` (COPY on PostgreSQL), with one history row per firm.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet

from portal.audit import record_many
from portal.bulk import bulk_insert
from portal.jobs import job_finish, job_start
from portal.models import Job
from portal.policy import require
from portal.xlsx import FileRejected, inspect_archive, read_first_sheet

from .choices import Status
from .credit_code import credit_code_error, normalize
from .models import CreationListEntry, Enterprise
from .workflows import CREATION_LIST_BULK, LISTING

JOB_KIND = "creation_list_bulk"
CODE_HEADER = "统一社会信用代码"
MAX_ROWS = 50_000
CHUNK = 5000
SHOWN_ERRORS = 200


@dataclass
class BulkPlan:
    """What a bulk add would write: the firms' ids, or the rows that stop it."""

    ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.ids)


def open_firms(user: Any) -> QuerySet[Enterprise]:
    """The firms in ``user``'s scope that can go on a list (not closed)."""
    return Enterprise.objects.for_user(user).filter(closed_on__isnull=True)


def plan_from_filter(*, user: Any, year: int, filters: dict[str, Any]) -> BulkPlan:
    """Every open firm in scope matching the filter and not yet on ``year``'s list."""
    qs = open_firms(user).exclude(list_entries__year=year)
    for name in ("county", "industry", "size"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("not_started"):
        qs = qs.filter(status=Status.NOT_LISTED)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    plan = BulkPlan(ids=ids, source="按条件筛选")
    if not ids:
        plan.errors.append("没有符合条件且尚未纳入本年度创建名单的企业")
    return plan


def plan_from_sheet(*, user: Any, year: int, file: IO[bytes], filename: str = "") -> BulkPlan:
    """The firms named by credit code in the first sheet's “统一社会信用代码” column (a header
    row first). Each bad row is named: 第N行 统一社会信用代码（X列）：reason."""
    plan = BulkPlan(source=f"文件：{filename}" if filename else "Excel文件")
    try:
        inspect_archive(file, max_rows=MAX_ROWS)
        rows = read_first_sheet(file)
    except FileRejected as exc:
        plan.errors.append(str(exc))
        return plan
    header = [str(cell).strip() for cell in rows[0]] if rows else []
    if CODE_HEADER not in header:
        plan.errors.append(f"第1行：未找到“{CODE_HEADER}”列，请在第一行填写列名")
        return plan
    column = header.index(CODE_HEADER)
    where = f"{CODE_HEADER}（{_letter(column)}列）"
    bad: list[tuple[int, str]] = []
    codes = _codes_by_row(rows[1:], column, bad)
    if not codes and not bad:
        plan.errors.append("文件中没有企业的统一社会信用代码")
    found = _firms_by_code(user, year, list(codes.values()))
    for row, code in codes.items():
        firm = found.get(code)
        if firm is None:
            bad.append((row, f"本辖区没有代码为 {code} 的企业"))
        elif firm[1] is not None:
            bad.append((row, f"{code} 企业已关闭，不能纳入创建名单"))
        elif firm[2]:
            bad.append((row, f"{code} 企业已在{year}年创建名单中"))
        else:
            plan.ids.append(firm[0])
    plan.errors += [f"第{row}行 {where}：{reason}" for row, reason in sorted(bad)]
    return plan


def _codes_by_row(rows: list[list[Any]], column: int, bad: list[tuple[int, str]]) -> dict:
    """``{row number: code}`` in the order of the sheet; wrong and repeated codes go to
    ``bad`` with their row."""
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        raw = row[column] if column < len(row) else ""
        if raw in ("", None):
            continue
        code = normalize(raw)
        if problem := credit_code_error(code):
            bad.append((number, problem))
        elif code in seen:
            bad.append((number, f"{code} 与第{seen[code]}行重复"))
        else:
            seen[code] = number
    return {number: code for code, number in seen.items()}


def _firms_by_code(user: Any, year: int, codes: list[str]) -> dict[str, tuple]:
    """``code → (id, closed_on, already listed)`` for the codes in scope. The scope is read
    whole in two queries: thousands of codes in an ``IN`` cost more to build than to read."""
    wanted = set(codes)
    listed = _listed_ids(year)
    return {
        code: (pk, closed_on, pk in listed)
        for pk, code, closed_on in Enterprise.objects.for_user(user)
        .values_list("pk", "credit_code", "closed_on")
        .order_by()
        .iterator(chunk_size=CHUNK)
        if code in wanted
    }


def _listed_ids(year: int) -> set[int]:
    return set(
        CreationListEntry.objects.filter(year=year)
        .values_list("enterprise_id", flat=True)
        .order_by()
        .iterator(chunk_size=CHUNK)
    )


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- The preview and its confirmation -------------------------------------------------------


def bulk_preview(*, actor: Any, year: int, target_date: dt.date, plan: BulkPlan) -> Job:
    """Keep a plan without errors as a queued job, to be confirmed on its page."""
    require(actor, "add", CreationListEntry)
    if not plan.ok:
        raise ValidationError(plan.errors[:SHOWN_ERRORS])
    if target_date.year != year:
        raise ValidationError({"target_date": f"计划达标日期应在{year}年内"})
    return job_start(
        kind=JOB_KIND,
        owner=actor,
        total=len(plan.ids),
        params={
            "year": year, "target_date": target_date.isoformat(), "ids": plan.ids,
            "source": plan.source,
        },
    )  # fmt: skip


def bulk_confirm(*, actor: Any, job: Job) -> int:
    """Write the previewed firms onto the list, all or none; returns how many. A firm listed,
    closed or gone out of scope since the preview stops the whole write, and says which."""
    require(actor, "add", CreationListEntry)
    with transaction.atomic():
        CREATION_LIST_BULK.apply(job, "confirm_bulk_list", actor=actor)
        try:
            added = creation_list_bulk_add(
                actor=actor,
                year=job.params["year"],
                target_date=dt.date.fromisoformat(job.params["target_date"]),
                ids=job.params["ids"],
                note=job.params.get("source", ""),
            )
        except ValidationError as exc:
            transaction.set_rollback(True)
            failed_with = exc
        else:
            job_finish(job.pk, result={"added": added}, message=f"已纳入 {added} 家企业")
            return added
    # The claim was rolled back with the write: the job says why and is not confirmed again.
    job_finish(job.pk, result={"added": 0}, failed=True, message="；".join(failed_with.messages))
    raise failed_with


def creation_list_bulk_add(
    *, actor: Any, year: int, target_date: dt.date, ids: list[int], note: str = ""
) -> int:
    """纳入创建名单 for many firms in one transaction: the entries, the firms not yet on the
    path moved to 已纳入创建名单 (``LISTING``'s put_on_list, claimed on their status), and a
    history row for each firm."""
    require(actor, "add", CreationListEntry)
    ids = sorted(set(ids))
    with transaction.atomic():
        rows = _recheck(actor, year, ids)
        bulk_insert(
            CreationListEntry,
            [
                {"enterprise_id": pk, "year": year, "target_date": target_date,
                 "added_by_id": actor.pk}
                for pk, _, _ in rows
            ],
        )  # fmt: skip
        moved = [(pk, name) for pk, name, status in rows if status == Status.NOT_LISTED]
        _put_on_list(year, moved)
        source = f"批量纳入，{note}" if note else "批量纳入"
        label = f"{year}年，计划达标日期 {target_date.isoformat()}（{source}）"
        transition = LISTING["put_on_list"]
        before, after = Status(Status.NOT_LISTED).label, Status(Status.LISTED).label
        record_many(
            actor=actor, model=Enterprise, action=transition.label, note=label,
            items=[(pk, name, {"status": [before, after]}) for pk, name in moved],
        )  # fmt: skip
        kept = [(pk, name, {}) for pk, name, status in rows if status != Status.NOT_LISTED]
        record_many(actor=actor, model=Enterprise, action="纳入创建名单", note=label, items=kept)
    return len(rows)


def _recheck(actor: Any, year: int, ids: list[int]) -> list[tuple[int, str, str]]:
    """The firms again, in scope and open and not on the list, or a refusal naming them."""
    wanted, listed = set(ids), _listed_ids(year)
    rows: list[tuple[int, str, str]] = []
    problems = []
    for pk, name, status, closed_on in (
        Enterprise.objects.for_user(actor)
        .values_list("pk", "name", "status", "closed_on")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    ):
        if pk not in wanted:
            continue
        if pk in listed:
            problems.append(f"{name} 已在{year}年创建名单中")
        elif closed_on is not None:
            problems.append(f"{name} 已关闭")
        else:
            rows.append((pk, name, status))
    if len(rows) + len(problems) < len(ids):
        problems.append(f"{len(ids) - len(rows) - len(problems)}家企业已不在本辖区名录中")
    if problems:
        raise ValidationError(["预览后名录已变化，未写入任何企业：", *problems[:SHOWN_ERRORS]])
    return rows


def _put_on_list(year: int, moved: list[tuple[int, str]]) -> None:
    """The firms not yet on the path move to 已纳入创建名单 in one conditional UPDATE, the ids
    passed as one parameter (an array on PostgreSQL, JSON on SQLite: thousands of ``IN``
    parameters cost more to build than to run). A firm whose status changed meanwhile makes
    the count differ, and stops it all."""
    if not moved:
        return
    ids = [pk for pk, _ in moved]
    table = connection.ops.quote_name(Enterprise._meta.db_table)
    if connection.vendor == "postgresql":
        among, param = "id = ANY(%s)", ids
    else:
        among, param = "id IN (SELECT value FROM json_each(%s))", json.dumps(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, version = version + 1 "  # noqa: S608 - names only
            f"WHERE status = %s AND {among}",
            [Status.LISTED, Status.NOT_LISTED, param],
        )
        done = cursor.rowcount
    if done != len(ids):
        raise ValidationError("预览后有企业的状态已被他人改变，未写入任何企业，请重新预览")
