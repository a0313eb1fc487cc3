"""``{% refusal_for enterprise as refusal %}``: the firm's latest refusal the signed-in user
may see, for the firm's page (the registry's view names no upper app)."""

from django import template

from enforcement.selectors import refusal_of

register = template.Library()


@register.simple_tag(takes_context=True)
def refusal_for(context, enterprise):
    request = context.get("request")
    return refusal_of(getattr(request, "user", None), enterprise)
