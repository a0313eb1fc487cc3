"""``{% attended_by enterprise as attended %}``: the events the firm took part in, as far as
the signed-in user may see them, for the firm's page."""

from django import template

from outreach.selectors import attended_by

register = template.Library()


@register.simple_tag(takes_context=True, name="attended_by")
def attended_by_tag(context, enterprise):
    request = context.get("request")
    return list(attended_by(getattr(request, "user", None), enterprise)[:20])
