"""``{% actions_for obj as actions %}``: what the signed-in user may do with ``obj`` now, so a
template tests ``"answer" in actions`` and never a role."""

from django import template

from portal.policy import allowed_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def actions_for(context, obj):
    request = context.get("request")
    return allowed_actions(getattr(request, "user", None), obj)
