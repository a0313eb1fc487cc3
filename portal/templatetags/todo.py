"""``{% load todo %}{% todo_panel %}``: what waits for the signed-in user (``portal.todo``), as
cards with counts and links; the firm's next step in words."""

from django import template

from ..todo import todos_for

register = template.Library()


@register.inclusion_tag("components/todo_panel.html", takes_context=True)
def todo_panel(context, title: str = ""):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"todos": todos_for(user) if user is not None else [], "title": title}
