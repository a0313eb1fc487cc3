"""The one import path of the enterprise registry, behind the web page, the Celery task and
``manage.py import_enterprises``.

    plan = plan_import(file, user=..., county=...)                 # the preview: writes nothing
    with transaction.atomic():                                      # the import: all or none
        plan = plan_import(file, user=..., write=import_writer(actor=...))

The sheet is streamed (``portal.xlsx.iter_first_sheet``) and handled ``CHUNK_ROWS`` rows at a
time, so memory does not grow with the file: each row is checked directly by the rules of the
model's fields (length, required, choices, number ranges; the field's own message on the rare
refusal) and the same credit-code and size rules as the edit form, so the import and the form
cannot disagree; each chunk is compared with the registry in one query and, when writing and
no error has been found so far, written at once: new firms with ids reserved up front and COPY
(PostgreSQL) or multi-row INSERTs (SQLite) through ``portal.bulk``, changed ones as an upsert
on the credit code, and their history through ``portal.audit.record_many`` in the same style.
An error in a later chunk rolls the earlier ones back with the caller's transaction. Related
records are matched by name (or code) from one cached query each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from portal import xlsx
from portal.audit import record_many
from portal.bulk import bulk_insert, reserve_ids
from portal.policy import can

from .choices import SizeClass
from .credit_code import credit_code_error, normalize
from .models import County, Enterprise, Industry
from .rules import size_disagreement
from .selectors import REGISTRY_FIELDS

# The template's headers, in order, and the model field each one fills.
COLUMNS: list[tuple[str, str]] = [
    ("统一社会信用代码", "credit_code"),
    ("企业名称", "name"),
    ("所属区县", "county"),
    ("行业", "industry"),
    ("企业规模", "size"),
    ("从业人员数", "employees"),
    ("地址", "address"),
    ("法定代表人", "legal_representative"),
    ("安全管理负责人", "safety_contact"),
    ("联系电话", "phone"),
    # Last, so that files laid out before it was added keep their columns' places.
    ("营业收入（万元）", "revenue"),
]
HEADERS = [header for header, _ in COLUMNS]
FIELD_HEADER = {name: header for header, name in COLUMNS}
TEXT_FIELDS = ["name", "address", "legal_representative", "safety_contact", "phone"]
# What an import may change on an existing firm (never status, grade or closure).
IMPORT_FIELDS = [name for name in REGISTRY_FIELDS if name != "credit_code"]
SIZE_BY_LABEL = {label: value for value, label in SizeClass.choices}
SIZE_LABEL = dict(SizeClass.choices)
# Above this many rows the confirmed import runs as a Celery task with a progress bar.
ASYNC_THRESHOLD = 3000
WRITE_BATCH = 2000
MAX_EMPLOYEES = 2147483647  # PositiveIntegerField's range on every database
MAX_LISTED_ERRORS = 1000


@dataclass
class RowError:
    row: int  # the Excel row number (the header is row 1)
    column: str  # the header, or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}{f'「{self.column}」' if self.column else ''}：{self.message}"


@dataclass
class CleanRow:
    row: int
    values: dict[str, Any]  # model field name -> value (county/industry as ids)


@dataclass
class Change:
    row: int
    pk: int
    version: int
    values: dict[str, Any]
    diff: dict[str, list[Any]]


@dataclass
class ImportPlan:
    """What an import would do (or did); ``errors`` non-empty means nothing is written. Only
    counts and the first changes are kept: the rows themselves pass through a chunk at a time,
    so memory does not grow with the sheet."""

    total: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    samples: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, *, samples: int = 50) -> dict[str, Any]:
        """A JSON-able account for the preview page, the job row and the command."""
        return {
            "total": self.total,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "error_count": len(self.errors),
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message}
                for e in self.errors[:MAX_LISTED_ERRORS]
            ],
            "notices": self.notices,
            "changed_samples": [
                {
                    "row": c.row,
                    "credit_code": c.values["credit_code"],
                    "name": c.values["name"],
                    "diff": c.diff,
                }
                for c in self.samples[:samples]
            ],
        }


@dataclass
class _Context:
    counties: dict[str, County]
    industries: dict[str, Industry]
    county_names: dict[int, str]
    industry_names: dict[int, str]
    only_county: County | None


def _context(only_county: County | None) -> _Context:
    counties: dict[str, County] = {}
    for county in County.objects.all():
        counties[county.name] = county
        counties[county.code] = county
    industries: dict[str, Industry] = {}
    for industry in Industry.objects.all():
        industries[industry.name] = industry
        industries[industry.code] = industry
    return _Context(
        counties=counties,
        industries=industries,
        county_names={c.pk: c.name for c in counties.values()},
        industry_names={i.pk: i.name for i in industries.values()},
        only_county=only_county,
    )


def restricted_county(user: Any, county: County | None = None) -> County | None:
    """Whoever may not move firms between counties imports only their own county's rows;
    ``county`` narrows a command run."""
    if user is not None and not can(user, "move_county", Enterprise):
        return user.county
    return county


# Rows validated, compared (one query) and, when writing, written together.
CHUNK_ROWS = 5000
SAMPLE_CHANGES = 50

Writer = Callable[[list["CleanRow"], list["Change"]], None]


def plan_import(
    file: IO[bytes],
    *,
    user: Any = None,
    county: County | None = None,
    max_rows: int | None = None,
    write: Writer | None = None,
) -> ImportPlan:
    """Read, validate and compare the file against the registry, a chunk of rows at a time.
    With ``write``, each chunk's new and changed rows are handed to it as long as no error has
    been found (the caller's transaction is rolled back if one turns up later); without it,
    nothing is written (the preview)."""
    plan = ImportPlan()
    with translation.override("zh-hans"):
        try:
            counted = xlsx.inspect_archive(file, max_rows=max_rows)
            rows = xlsx.iter_first_sheet(file, rows=counted)
            positions = _header_positions(next(rows, (1, [])), plan)
            limit = xlsx.MAX_ROWS if max_rows is None else max_rows
            ctx = _context(restricted_county(user, county))
            _stream(rows, positions, ctx, plan, limit, write)
        except xlsx.FileRejected as exc:
            plan.errors.append(RowError(0, "", str(exc)))
            return plan
        if not plan.total and not plan.errors:
            plan.errors.append(RowError(0, "", "工作表中没有企业数据（除表头外为空）"))
            return plan
    plan.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else -1))
    return plan


def _stream(rows, positions, ctx: _Context, plan: ImportPlan, limit: int, write) -> None:
    seen: dict[str, int] = {}
    chunk: list[CleanRow] = []
    for number, raw in rows:
        clean = _validate_row(number, raw, positions, ctx, plan, seen)
        if plan.total > limit:
            raise xlsx.FileRejected(f"文件的数据超过单次导入上限{limit}行，请分批导入")
        if clean is not None:
            chunk.append(clean)
        if len(chunk) >= CHUNK_ROWS:
            _settle(chunk, ctx, plan, write)
            chunk = []
    if chunk:
        _settle(chunk, ctx, plan, write)


def _settle(chunk: list[CleanRow], ctx: _Context, plan: ImportPlan, write) -> None:
    """Compare a chunk with the registry (one query) and write it while the file is clean."""
    new, changed = _compare_chunk(
        chunk, _existing([r.values["credit_code"] for r in chunk]), ctx, plan
    )
    if write is not None and plan.ok:
        write(new, changed)


def _header_positions(first: tuple[int, list[Any]], plan: ImportPlan) -> dict[str, int]:
    number, cells = first
    if number != 1 or not any(_text(v) for v in cells):
        raise xlsx.FileRejected("第一个工作表是空的：请在模板第一行保留表头，从第二行起填写企业")
    header = [_text(v) for v in cells]
    positions = {name: i for i, name in enumerate(header) if name}
    missing = [h for h in HEADERS if h not in positions]
    if missing:
        extra = [h for h in header if h and h not in HEADERS]
        hint = f"；表中多出的列：{'、'.join(extra)}（列名是否被改动？）" if extra else ""
        raise xlsx.FileRejected(
            f"缺少必需的列：{'、'.join(missing)}{hint}。请使用下载的模板，不要修改表头"
        )
    extra = [h for h in header if h and h not in HEADERS]
    if extra:
        plan.notices.append(f"以下列不属于模板，已忽略：{'、'.join(extra)}")
    return positions


_SPACES = " \t\r\n\u3000"


def _text(value: Any) -> str:
    """A cell as text, as typed: integral numbers without ".0", surrounding spaces trimmed."""
    if value.__class__ is str:
        return value.strip(_SPACES)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    return str(value).strip(_SPACES)


def _related_and_numbers(cells: dict[str, Any], ctx: _Context, error) -> dict[str, Any]:
    """The row's county and industry (matched by name) and its size, people and revenue."""
    return {
        "county": _county(cells["county"], ctx, error),
        "industry": _lookup(cells["industry"], ctx.industries, "industry", error),
        "size": _size(cells["size"], error),
        "employees": _employees(cells["employees"], error),
        "revenue": _revenue(cells["revenue"], error),
    }


_ORDER = list(enumerate(COLUMNS))


def _validate_row(
    index: int,
    raw: list[Any],
    positions: dict[str, int],
    ctx: _Context,
    plan: ImportPlan,
    seen: dict[str, int],
) -> CleanRow | None:
    """One row checked directly (required, length, choices, numbers, the credit code, the
    size rule): the same rules as the model's fields and the edit form, without a
    ``Field.clean`` call per cell."""
    width = len(raw)
    cells = {}
    for _, (header, name) in _ORDER:
        pos = positions[header]
        cells[name] = raw[pos] if pos < width else None
    texts = {name: _text(value) for name, value in cells.items()}
    if not any(texts.values()):
        return None  # blank lines inside or below the data are not rows
    plan.total += 1
    errors_before = len(plan.errors)
    values: dict[str, Any] = {}

    def error(name: str, message: str, row: int = index) -> None:
        plan.errors.append(RowError(row, FIELD_HEADER[name], message))

    code = _credit_code(cells["credit_code"], error)
    if code is not None:
        if code in seen:
            error("credit_code", f"与第{seen[code]}行的统一社会信用代码重复")
        else:
            seen[code] = index
        values["credit_code"] = code
    for name, (limit, required) in TEXT_RULES.items():
        text = texts[name]
        if (required and not text) or len(text) > limit:
            error(name, _field_message(name, text))
        else:
            values[name] = text
    values.update(_related_and_numbers(cells, ctx, error))
    if len(plan.errors) == errors_before:
        _check_size(values, error)
    if len(plan.errors) == errors_before:
        return CleanRow(index, values)
    return None


def _text_rules() -> dict[str, tuple[int, bool]]:
    """Each text column's length limit and whether it is required, from the model's fields
    (what ``Field.clean`` would check: these fields have no choices and no validators but the
    length)."""
    rules = {}
    for name in TEXT_FIELDS:
        model_field = Enterprise._meta.get_field(name)
        assert not model_field.choices and len(model_field.validators) == 1, name
        rules[name] = (model_field.max_length, not model_field.blank)
    return rules


TEXT_RULES = _text_rules()


def _field_message(name: str, value: Any) -> str:
    """The model field's own words for a value the direct check refused (the rare path)."""
    try:
        Enterprise._meta.get_field(name).clean(value, None)
    except ValidationError as exc:
        return "；".join(exc.messages)
    return "数据有误"


def _credit_code(value: Any, error: Callable[[str, str], None]) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        error(
            "credit_code",
            "统一社会信用代码被Excel存成了数字（会丢失精度），请将该列设为文本后重新填写",
        )
        return None
    code = normalize(value)
    if not code:
        error("credit_code", "统一社会信用代码不能为空")
        return None
    message = credit_code_error(code)
    if message:
        error("credit_code", message)
        return None
    return code


def _county(value: Any, ctx: _Context, error: Callable[[str, str], None]) -> int | None:
    text = _text(value)
    if not text and ctx.only_county is not None:
        return ctx.only_county.pk
    pk = _lookup(value, ctx.counties, "county", error)
    if pk is not None and ctx.only_county is not None and pk != ctx.only_county.pk:
        error("county", f"只能导入本辖区（{ctx.only_county.name}）的企业，该行属于{text}")
        return None
    return pk


def _lookup(value: Any, known: dict, name: str, error: Callable[[str, str], None]) -> int | None:
    text = _text(value)
    label = FIELD_HEADER[name]
    if not text:
        error(name, f"{label}不能为空")
        return None
    obj = known.get(text)
    if obj is None:
        error(name, f"未知的{label}「{text}」，请从下拉列表中选择")
        return None
    return obj.pk


def _size(value: Any, error: Callable[[str, str], None]) -> str | None:
    text = _text(value)
    if text in SIZE_BY_LABEL:
        return SIZE_BY_LABEL[text]
    if text in SIZE_LABEL:
        return text
    allowed = "、".join(SIZE_BY_LABEL)
    error(
        "size", f"企业规模只能填写{allowed}" + (f"，不能填写「{text}」" if text else "，不能为空")
    )
    return None


def _employees(value: Any, error: Callable[[str, str], None]) -> int | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else None
    else:
        text = _text(value).replace(",", "")
        number = int(text) if text.lstrip("-").isdigit() else None
    if number is None:
        error("employees", f"从业人员数应为整数，不能填写「{_text(value)}」")
        return None
    if number < 0:
        error("employees", "从业人员数不能为负数")
        return None
    if number > MAX_EMPLOYEES:
        error("employees", _field_message("employees", number))
        return None
    return number


def _revenue(value: Any, error: Callable[[str, str], None]) -> Decimal | None:
    text = _text(value).replace(",", "")
    if not text:
        return None
    model_field = Enterprise._meta.get_field("revenue")
    try:
        return model_field.clean(text, None)
    except ValidationError:
        error("revenue", f"营业收入应为不小于0的数字（万元），不能填写「{_text(value)}」")
        return None


def _check_size(values: dict[str, Any], error: Callable[[str, str], None]) -> None:
    """The declared size against the law's thresholds (the same rule as the edit form)."""
    problem = size_disagreement(
        size=values["size"], employees=values["employees"], revenue=values["revenue"]
    )
    if problem:
        error("size", problem)


def _existing(codes: list[str]) -> dict[str, dict[str, Any]]:
    fields = [
        "pk",
        "version",
        "credit_code",
        *[f"{n}_id" if n in ("county", "industry") else n for n in IMPORT_FIELDS],
    ]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        for row in Enterprise.objects.filter(credit_code__in=chunk).values(*fields):
            row["county"] = row.pop("county_id")
            row["industry"] = row.pop("industry_id")
            found[row["credit_code"]] = row
    return found


def _blank_none(value: Any) -> Any:
    return None if value == "" else value


def _display(ctx: _Context, name: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if name == "county":
        return ctx.county_names.get(value)
    if name == "industry":
        return ctx.industry_names.get(value)
    if name == "size":
        return SIZE_LABEL.get(value)
    return value


def _compare_chunk(
    chunk: list[CleanRow], existing: dict[str, dict[str, Any]], ctx: _Context, plan: ImportPlan
) -> tuple[list[CleanRow], list[Change]]:
    """Sort a chunk into new, changed and unchanged rows (counted on the plan)."""
    new: list[CleanRow] = []
    changed: list[Change] = []
    for row in chunk:
        current = existing.get(row.values["credit_code"])
        if current is None:
            new.append(row)
            continue
        if ctx.only_county is not None and current["county"] != ctx.only_county.pk:
            plan.errors.append(
                RowError(
                    row.row,
                    FIELD_HEADER["credit_code"],
                    # Which county holds it is not this county's to know.
                    "该代码的企业已登记在其他县市区，不能由本辖区导入修改",
                )
            )
            continue
        diff = {
            name: [_display(ctx, name, current[name]), _display(ctx, name, row.values[name])]
            for name in IMPORT_FIELDS
            if _blank_none(current[name]) != _blank_none(row.values[name])
        }
        if diff:
            changed.append(Change(row.row, current["pk"], current["version"], row.values, diff))
        else:
            plan.unchanged += 1
    plan.new += len(new)
    plan.changed += len(changed)
    room = SAMPLE_CHANGES - len(plan.samples)
    if room > 0:
        plan.samples.extend(changed[:room])
    return new, changed


Progress = Callable[[int, int], None]


def import_writer(*, actor: Any, note: str = "") -> Writer:
    """What ``plan_import`` hands each clean chunk to: the new firms and their history, then the
    changed ones. Call inside one transaction; a later error rolls every chunk back."""

    def write(new: list[CleanRow], changed: list[Change]) -> None:
        for start in range(0, len(new), WRITE_BATCH):
            _insert(new[start : start + WRITE_BATCH], actor=actor, note=note)
        for start in range(0, len(changed), WRITE_BATCH):
            _update(changed[start : start + WRITE_BATCH], actor=actor, note=note)

    return write


def _firm_rows(values: list[dict[str, Any]], *, versions: list[int] | None = None) -> list[dict]:
    rows = []
    for index, row in enumerate(values):
        data = dict(row)
        data["county_id"] = data.pop("county")
        data["industry_id"] = data.pop("industry")
        if versions is not None:
            data["version"] = versions[index]
        rows.append(data)
    return rows


def _upsert_clause() -> str:
    """Update the imported fields of a firm whose credit code is already there."""
    meta = Enterprise._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = [*IMPORT_FIELDS, "updated_at"]
    sets = [
        f"{quote(meta.get_field(n).column)} = excluded.{quote(meta.get_field(n).column)}"
        for n in names
    ]
    sets.append(f"{quote('version')} = {table}.{quote('version')} + 1")
    return f" ON CONFLICT ({quote('credit_code')}) DO UPDATE SET {', '.join(sets)}"


def _insert(rows: list[CleanRow], *, actor: Any, note: str) -> None:
    """New firms with ids taken up front (no reading back), then their history rows."""
    ids = reserve_ids(Enterprise, len(rows))
    firms = _firm_rows([row.values for row in rows])
    for pk, firm in zip(ids, firms, strict=True):
        firm["id"] = pk
    bulk_insert(Enterprise, firms, with_pk=True)
    items = [(pk, r.values["name"], {}) for pk, r in zip(ids, rows, strict=True)]
    record_many(actor=actor, model=Enterprise, action="Excel导入新建", items=items, note=note)


def _update(changes: list[Change], *, actor: Any, note: str) -> None:
    bulk_insert(Enterprise, _firm_rows([c.values for c in changes]), conflict=_upsert_clause())
    items = [(c.pk, c.values["name"], c.diff) for c in changes]
    record_many(actor=actor, model=Enterprise, action="Excel导入更新", items=items, note=note)
