"""Form helpers shared by every app."""

from django import forms

from .http import is_row_id


class StyledFormMixin:
    """Gives widgets the Bootstrap classes the templates expect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            # RadioSelect covers CheckboxSelectMultiple, its subclass; without it a radio list
            # got form-control, which draws each radio as a full-width box with no dot.
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class SecurityEventFilterForm(StyledFormMixin, forms.Form):
    """The security log's filters; anything that does not parse is simply not applied."""

    kind = forms.ChoiceField(label="事件", required=False)
    q = forms.CharField(label="用户名或来源地址", required=False, max_length=150)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput)
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput)

    def __init__(self, *args, **kwargs):
        from .models import SecurityEvent

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部"), *SecurityEvent.Kind.choices]

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped and its error shown)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


class RowIdsField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses what is no row id before asking the database:
    an out-of-range integer in an ``IN`` list is a database error, not "no such row"."""

    def clean(self, value):
        for item in value if isinstance(value, list | tuple) else []:
            if not is_row_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:20]},
                )
        return super().clean(value)


class RowChoiceField(forms.ModelChoiceField):
    """A choice of one row that refuses what is no row id before asking the database (an
    integer past the column's range is a database error, not "no such row")."""

    def to_python(self, value):
        if value not in self.empty_values and not is_row_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class AccountForm(StyledFormMixin, forms.ModelForm):
    """A login's particulars; the unit it is bound to is chosen among the issuer's own (a
    county's firms for county staff). The role is fixed by the page, not by the form."""

    class Meta:
        from .models import User

        model = User
        fields = ["username", "full_name", "phone", "county", "enterprise", "agency"]
        help_texts = {"username": "登录时使用，可用字母、数字和 @ . + - _，开通后不能修改。"}

    def __init__(self, *args, actor, role: str, **kwargs):
        from .services import BINDING

        super().__init__(*args, **kwargs)
        self.instance.role = role  # User.clean checks the binding against the role
        binding = BINDING.get(role)
        for name in ("county", "enterprise", "agency"):
            if name != binding:
                del self.fields[name]
        if binding:
            field = self.fields[binding]
            field.required = True
            field.queryset = field.queryset.model.objects.for_user(actor).order_by("pk")
            field.empty_label = "请选择"
        if self.instance.pk:
            del self.fields["username"]
        self.fields["full_name"].required = True


class AccountFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="用户名、姓名或单位", required=False, max_length=100)
    role = forms.ChoiceField(label="角色", required=False)
    active = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "已停用")]
    )

    def __init__(self, *args, roles=(), **kwargs):
        from .roles import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "全部"), *((r, Role(r).label) for r in roles)]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
