from django import forms
from django.utils import timezone

from enterprises.models import County, Enterprise
from portal.forms import RowIdsField, StyledFormMixin
from portal.xlsx import FileRejected

from .attendance import read_attendance
from .models import EventKind, HandCriterion


class EventForm(StyledFormMixin, forms.Form):
    """An event; the firms by their 统一社会信用代码 (one a line, matched in the registry of
    the user's county) and the people as 姓名，职务 (one a line)."""

    kind = forms.ChoiceField(label="活动类型", choices=EventKind.choices)
    title = forms.CharField(label="活动名称", max_length=200)
    held_on = forms.DateField(label="日期", widget=forms.DateInput, initial=timezone.localdate)
    place = forms.CharField(label="地点", max_length=200)
    organiser = forms.CharField(label="组织单位", max_length=100)
    firms = forms.CharField(
        label="参加企业（统一社会信用代码，每行一个）", required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    people = forms.CharField(
        label="参加人员（每行“姓名，职务”）", required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    note = forms.CharField(
        label="活动情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attendance = forms.FileField(
        label="或导入签到表（xlsx：统一社会信用代码，可另有姓名、职务列）", required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_firms(self) -> list:
        codes = [line.strip().upper() for line in self.cleaned_data["firms"].splitlines()]
        codes = [c for c in codes if c]
        found = {
            f.credit_code: f
            for f in Enterprise.objects.for_user(self.user).filter(credit_code__in=codes)
        }
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError("本县市区企业名录中没有：" + "、".join(unknown))
        return list(dict.fromkeys(found[c] for c in codes))

    def clean(self) -> dict:
        """The firms and people of an attendance file join those typed in; one bad row refuses
        the file, with every error by row and column."""
        data = super().clean()
        upload = data.pop("attendance", None)
        if not upload or "firms" not in data or "people" not in data:
            return data
        try:
            read = read_attendance(upload, Enterprise.objects.for_user(self.user))
        except FileRejected as refused:
            raise forms.ValidationError({"attendance": str(refused)}) from refused
        if read.errors:
            raise forms.ValidationError({"attendance": [str(e) for e in read.errors[:50]]})
        data["firms"] = list(dict.fromkeys([*data["firms"], *read.firms]))
        data["people"] = [*data["people"], *read.people]
        return data

    def clean_people(self) -> list[tuple[str, str]]:
        people = []
        for line in self.cleaned_data["people"].splitlines():
            name, _, post = line.replace(",", "，").partition("，")
            if name.strip():
                people.append((name.strip(), post.strip()))
        return people


ITEM_ROWS = 5


class _DispatchFields(forms.Form):
    title = forms.CharField(label="会议名称", max_length=200)
    held_on = forms.DateField(label="会议日期", widget=forms.DateInput, initial=timezone.localdate)
    counties = RowIdsField(
        County.objects.current(), label="参会县市区", widget=forms.CheckboxSelectMultiple
    )
    issues = forms.CharField(label="调度的问题", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, ITEM_ROWS + 1):
            self.fields[f"owner_{n}"] = forms.ModelChoiceField(
                County.objects.current(),
                label=f"事项{n}：责任县市区",
                required=False,
                empty_label="请选择",
            )
            self.fields[f"task_{n}"] = forms.CharField(
                label=f"事项{n}：调度事项", max_length=300, required=False
            )
            self.fields[f"due_{n}"] = forms.DateField(
                label=f"事项{n}：完成期限", widget=forms.DateInput, required=False
            )


class DispatchForm(StyledFormMixin, _DispatchFields):
    """A dispatch meeting; up to five items, each with its owner county, task and due date."""

    def clean(self):
        data = super().clean()
        for n in range(1, ITEM_ROWS + 1):
            parts = [data.get(f"owner_{n}"), data.get(f"task_{n}"), data.get(f"due_{n}")]
            if any(parts) and not all(parts):
                self.add_error(f"task_{n}", "调度事项须同时填写责任县市区、事项和完成期限")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        rows = [
            (data[f"owner_{n}"], data[f"task_{n}"], data[f"due_{n}"])
            for n in range(1, ITEM_ROWS + 1)
        ]
        return {
            "title": data["title"],
            "held_on": data["held_on"],
            "counties": list(data["counties"]),
            "issues": data["issues"],
            "items": [row for row in rows if all(row)],
        }

    def item_rows(self):
        return [
            (self[f"owner_{n}"], self[f"task_{n}"], self[f"due_{n}"])
            for n in range(1, ITEM_ROWS + 1)
        ]


class CompleteForm(StyledFormMixin, forms.Form):
    done_note = forms.CharField(label="落实情况", widget=forms.Textarea(attrs={"rows": 2}))
    done_on = forms.DateField(label="落实日期", widget=forms.DateInput, initial=timezone.localdate)


class PracticeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    text = forms.CharField(label="经验做法", widget=forms.Textarea(attrs={"rows": 8}))
    attachment = forms.FileField(label="附件（可选，PDF、图片或 Office 文档）", required=False)


class FeatureForm(StyledFormMixin, forms.Form):
    featured_on = forms.DateField(
        label="选入通报日期", widget=forms.DateInput, initial=timezone.localdate
    )


class ReturnForm(StyledFormMixin, forms.Form):
    city_note = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 2}))


class HandScoreForm(StyledFormMixin, forms.Form):
    county = forms.ChoiceField(label="县市区")
    criterion = forms.ChoiceField(label="考核指标", choices=HandCriterion.choices)
    score = forms.IntegerField(label="得分（0–100）", min_value=0, max_value=100)
    note = forms.CharField(label="评分说明", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.counties = {str(c.pk): c for c in County.objects.current()}
        self.fields["county"].choices = [(pk, c.name) for pk, c in self.counties.items()]

    def clean_county(self) -> County:
        # A choice among the listed ids: anything else is refused before the database is asked.
        return self.counties[self.cleaned_data["county"]]
