"""Loading a scoring standard (评定标准与评分细则) from a TOML file.

Why TOML: it is read by Python's standard library (``tomllib``), so a standard needs no extra
package; it is plain text that reviews well in a diff; and Chinese needs no escaping. The
official tables (usually Word or Excel) are copied into this format once per version.

The format (see also ``reviews/standards/README.md``)::

    code = "YT-GM-XW"                # 标准代码: one code per standard, across its versions
    version = "2016"                 # 版本: a new version is a new file, never an edit
    name = "小微企业安全生产标准化评定标准"
    kind = "small_micro"             # "small_micro" (小微企业, pass = 达标) or "industry"
    industry = "机械"                # required when kind = "industry": an industry's name
    effective_from = 2016-06-01      # 施行日期 (a TOML date)
    effective_until = 2019-12-31     # optional: 废止日期

    issuer = "province"              # optional: "province" (省级, the default) or "nation"

    [[elements]]                     # 一级考评类目, in order
    name = "目标"

    [[elements.projects]]            # 二级考评项目 of that category, in order (optional)
    name = "目标制定"

    [[elements.projects.items]]      # 考评内容 of that project, in order
    code = "1.1"                     # unique within the standard
    content = "..."                  # 考评内容
    method = "..."                   # 评分方式 (optional)
    points = 4                       # 标准分值 (> 0, at most one decimal)
    veto = false                     # 否决项 (optional, default false)

A category holds either projects (the 2016 layout: 类目 → 项目 → 内容) or its items directly
(``[[elements.items]]``, a two-level standard). Elements are numbered 1, 2, ... in file order;
items are ordered in file order across the whole standard. ``load_standard`` checks everything
first and writes in one transaction; a malformed file is refused with every problem listed in
Chinese, each naming where it is.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises.models import Industry

from .choices import StandardIssuer, StandardKind
from .models import ScoringStandard, StandardElement, StandardItem

DEMO_DIR = Path(__file__).resolve().parent / "standards"
TEXT_LIMITS = {"code": 50, "version": 20, "name": 200}
ITEM_CODE_LIMIT = 20


class StandardFileError(ValidationError):
    """A standard file that cannot be loaded; ``messages`` lists every problem found."""


@dataclass
class _Checker:
    problems: list[str]

    def text(self, data: dict, key: str, where: str, *, limit: int | None = None) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{where}缺少“{key}”（应为非空文字）")
            return ""
        if limit and len(value.strip()) > limit:
            self.problems.append(f"{where}“{key}”超过 {limit} 个字符")
        return value.strip()

    def date(self, data: dict, key: str, *, required: bool) -> dt.date | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            self.problems.append(f"文件头部“{key}”应为日期，如 2016-06-01")
            return None
        return value

    def points(self, value: Any, where: str) -> Decimal | None:
        try:
            points = Decimal(str(value)) if isinstance(value, int | float | Decimal) else None
        except InvalidOperation:
            points = None
        if points is None or isinstance(value, bool):
            self.problems.append(f"{where}：分值“points”缺失或不是数字")
            return None
        if points <= 0:
            self.problems.append(f"{where}：分值必须为正数（现为 {points}）")
            return None
        if points != points.quantize(Decimal("0.1")):
            self.problems.append(f"{where}：分值最多保留一位小数（现为 {points}）")
            return None
        return points


def read_standard_file(path: str | Path) -> dict[str, Any]:
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise StandardFileError(f"无法读取文件 {path}：{error.strerror}") from error
    try:
        return tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
    except UnicodeDecodeError as error:
        raise StandardFileError(f"文件 {path} 不是 UTF-8 编码的文本") from error
    except tomllib.TOMLDecodeError as error:
        raise StandardFileError(f"文件 {path} 不是有效的 TOML：{error}") from error


def check_standard(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the parsed file; return the cleaned standard or raise StandardFileError."""
    check = _Checker([])
    head = {key: check.text(data, key, "文件头部", limit=TEXT_LIMITS[key]) for key in TEXT_LIMITS}
    head["kind"] = _kind(data, check)
    head["issuer"] = _issuer(data, check)
    head["industry"] = _industry(data, head["kind"], check)
    head["effective_from"] = check.date(data, "effective_from", required=True)
    head["effective_until"] = check.date(data, "effective_until", required=False)
    if (
        head["effective_from"]
        and head["effective_until"]
        and head["effective_until"] < head["effective_from"]
    ):
        check.problems.append("文件头部：废止日期“effective_until”早于施行日期“effective_from”")
    head["elements"] = _elements(data.get("elements"), check)
    if head["code"] and head["version"]:
        if ScoringStandard.objects.filter(code=head["code"], version=head["version"]).exists():
            check.problems.append(
                f"标准 {head['code']} 的版本 {head['version']} 已经导入；新版本请使用新的版本号"
            )
    if check.problems:
        raise StandardFileError(check.problems)
    return head


def _kind(data: dict, check: _Checker) -> str:
    kind = data.get("kind")
    if kind not in StandardKind.values:
        check.problems.append(
            f"文件头部“kind”应为 {' 或 '.join(StandardKind.values)}（现为 {kind!r}）"
        )
    return kind


def _issuer(data: dict, check: _Checker) -> str:
    issuer = data.get("issuer", StandardIssuer.PROVINCE)
    if issuer not in StandardIssuer.values:
        check.problems.append(
            f"文件头部“issuer”应为 {' 或 '.join(StandardIssuer.values)}（现为 {issuer!r}）"
        )
    return issuer


def _industry(data: dict, kind: str, check: _Checker) -> Industry | None:
    name = data.get("industry")
    if kind != StandardKind.INDUSTRY:
        if name:
            check.problems.append("小微企业标准不应填写“industry”（适用于各行业的小微企业）")
        return None
    if not isinstance(name, str) or not name.strip():
        check.problems.append("行业标准必须填写“industry”（行业名称，如 机械）")
        return None
    industry = Industry.objects.filter(name=name.strip()).first()
    if industry is None:
        known = "、".join(Industry.objects.values_list("name", flat=True)) or "（尚未导入行业）"
        check.problems.append(f"未知行业“{name}”；可用的行业：{known}")
    return industry


def _elements(elements: Any, check: _Checker) -> list[dict[str, Any]]:
    if not isinstance(elements, list) or not elements:
        check.problems.append("缺少一级要素：文件中至少要有一个 [[elements]]")
        return []
    cleaned, codes = [], {}
    for number, element in enumerate(elements, start=1):
        where = f"第{number}个一级要素"
        name = check.text(element, "name", where, limit=100)
        where = f"{where}“{name}”" if name else where
        cleaned_items = []
        for project, items, place in _projects(element, where, check):
            cleaned_items += [
                _item(item, f"{place}第{index}项", codes, check) | {"project": project}
                for index, item in enumerate(items, start=1)
            ]
        cleaned.append({"number": number, "name": name, "items": cleaned_items})
    return cleaned


def _projects(element: dict, where: str, check: _Checker) -> list[tuple[str, list, str]]:
    """(项目 name, its items, where) for each second-level project of a category, or one
    nameless project holding the category's items when it lists them directly."""
    projects, items = element.get("projects"), element.get("items")
    if projects is not None and items is not None:
        check.problems.append(f"{where}：“projects”与“items”只能二选一")
        return []
    if projects is None:
        if not isinstance(items, list) or not items:
            check.problems.append(f"{where}没有评分项（[[elements.items]]）")
            return []
        return [("", items, where)]
    if not isinstance(projects, list) or not projects:
        check.problems.append(f"{where}没有二级考评项目（[[elements.projects]]）")
        return []
    found = []
    for number, project in enumerate(projects, start=1):
        place = f"{where}第{number}个二级项目"
        name = check.text(project, "name", place, limit=100)
        place = f"{place}“{name}”" if name else place
        items = project.get("items")
        if not isinstance(items, list) or not items:
            check.problems.append(f"{place}没有考评内容（items）")
            continue
        found.append((name, items, place))
    return found


def _item(item: dict, where: str, codes: dict[str, str], check: _Checker) -> dict[str, Any]:
    code = check.text(item, "code", where, limit=ITEM_CODE_LIMIT)
    if code:
        where = f"{where}（编号 {code}）"
        if code in codes:
            check.problems.append(f"{where}：编号重复，已用于{codes[code]}")
        codes.setdefault(code, where)
    veto = item.get("veto", False)
    if not isinstance(veto, bool):
        check.problems.append(f"{where}：“veto”应为 true 或 false")
    method = item.get("method", "")
    return {
        "code": code,
        "content": check.text(item, "content", where),
        "method": method.strip() if isinstance(method, str) else "",
        "points": check.points(item.get("points"), where),
        "is_veto": veto is True,
    }


def load_standard(path: str | Path) -> ScoringStandard:
    """Check the file and load it in one transaction; raise StandardFileError if malformed."""
    with transaction.atomic():
        data = check_standard(read_standard_file(path))
        standard = ScoringStandard.objects.create(
            code=data["code"],
            version=data["version"],
            name=data["name"],
            kind=data["kind"],
            issuer=data["issuer"],
            industry=data["industry"],
            effective_from=data["effective_from"],
            effective_until=data["effective_until"],
            source=Path(path).name[:200],
        )
        items, order = [], 0
        for element_data in data["elements"]:
            element = StandardElement.objects.create(
                standard=standard, number=element_data["number"], name=element_data["name"]
            )
            for item in element_data["items"]:
                order += 1
                items.append(StandardItem(standard=standard, element=element, order=order, **item))
        StandardItem.objects.bulk_create(items)
    return standard


def demo_standard_files() -> list[Path]:
    return sorted(DEMO_DIR.glob("*.toml"))
