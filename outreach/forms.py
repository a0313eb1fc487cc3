from django import forms
from django.utils import timezone

from enterprises.models import Enterprise
from portal.forms import StyledFormMixin

from .models import EventKind


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

    def clean_people(self) -> list[tuple[str, str]]:
        people = []
        for line in self.cleaned_data["people"].splitlines():
            name, _, post = line.replace(",", "，").partition("，")
            if name.strip():
                people.append((name.strip(), post.strip()))
        return people
