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
