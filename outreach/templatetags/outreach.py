"""``{% attended_by enterprise as attended %}``: the events the firm took part in, as far as
the signed-in user may see them, for the firm's page."""

from django import template
from django.conf import settings

from outreach.selectors import attended_by, featured_between

register = template.Library()


@register.simple_tag(takes_context=True, name="attended_by")
def attended_by_tag(context, enterprise):
    request = context.get("request")
    return list(attended_by(getattr(request, "user", None), enterprise)[:20])


@register.simple_tag(name="submission_contact")
def submission_contact_tag() -> str:
    """Who receives the counties' submissions (``settings.SUBMISSION_CONTACT``)."""
    return settings.SUBMISSION_CONTACT


@register.simple_tag(name="featured_practices")
def featured_practices_tag(after, until):
    """The write-ups featured in a bulletin's period (after the previous one, up to ``until``)."""
    return list(featured_between(after, until))
