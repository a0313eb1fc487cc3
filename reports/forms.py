from __future__ import annotations

import datetime as dt

from django import forms

from portal.concurrency import VersionedFormMixin
from portal.forms import StyledFormMixin
from portal.http import FIRST_PROGRAMME_YEAR

from .evaluation import CRITERIA


class TargetForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    listed_count = forms.IntegerField(label="纳入创建名单企业数", min_value=0)
    explanation = forms.CharField(
        label="低于最低目标的说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="年底累计达标数低于全市目标折算的本地最低数时必须填写，否则不能提交",
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)


class MilestoneForm(StyledFormMixin, forms.Form):
    due_on = forms.DateField(label="时间节点", required=False)
    passed_count = forms.IntegerField(label="累计达标企业数", min_value=0, required=False)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=0, min_num=4, max_num=12)


def milestones_from(formset) -> list:
    return [
        (f.cleaned_data["due_on"], f.cleaned_data["passed_count"])
        for f in formset.forms
        if f.cleaned_data.get("due_on") and f.cleaned_data.get("passed_count") is not None
    ]


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(StyledFormMixin, forms.Form):
    document = forms.FileField(
        label="材料文件", help_text="PDF 或 Office 文档（Word、Excel、PowerPoint），不超过 20 MB"
    )


class WeightsForm(StyledFormMixin, forms.Form):
    """One weight per registered criterion (0 or blank leaves it out); the service checks
    that they make 100 together."""

    def __init__(self, *args, weights: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for code, (label, _fn) in CRITERIA.items():
            self.fields[code] = forms.DecimalField(
                label=label, min_value=0, max_value=100, decimal_places=1, required=False,
                initial=weights.get(code, 0),
            )  # fmt: skip


class YearSetupForm(StyledFormMixin, forms.Form):
    """The city's goal for a year; the rest of the setup follows the notice's defaults."""

    pass_percent = forms.IntegerField(
        label="达标率目标（%）", min_value=1, max_value=100,
        help_text="年底前小微企业达标的比例（通知：2016年不低于50%，2017年全部达标）",
    )  # fmt: skip
    due_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs={"type": "date"}))


class DeadlineForm(StyledFormMixin, forms.Form):
    due_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))


class SnapshotForm(StyledFormMixin, forms.Form):
    """The city takes (or retakes) the progress snapshot of a day of the year shown: today's,
    or a past day's counted as each firm stood that day."""

    taken_on = forms.DateField(
        label="统计日期", widget=forms.DateInput(attrs={"type": "date", "class": "w-auto"})
    )

    def __init__(self, *args, year: int | None, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.year, self.today = year, today
        field = self.fields["taken_on"]
        field.initial = min(today, dt.date(year or today.year, 12, 31))
        field.widget.attrs.update(
            min=dt.date(year or FIRST_PROGRAMME_YEAR, 1, 1).isoformat(),
            max=field.initial.isoformat(),
        )

    def clean_taken_on(self) -> dt.date:
        day = self.cleaned_data["taken_on"]
        if self.year is not None and day.year != self.year:
            raise forms.ValidationError(f"统计日期须在{self.year}年内")
        if day.year < FIRST_PROGRAMME_YEAR:
            raise forms.ValidationError(f"统计日期须在{FIRST_PROGRAMME_YEAR}年以后")
        if day > self.today:
            raise forms.ValidationError("不能统计今天以后的日期")
        return day
