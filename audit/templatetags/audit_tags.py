from django import template

from audit.services import history

register = template.Library()


@register.inclusion_tag("audit/_history.html", takes_context=True)
def audit_history(context, obj, limit: int = 20):
    """The history panel any object page can include: ``{% audit_history object %}``."""
    user = context["request"].user
    return {
        "events": list(history(obj, limit)),
        "can_open": user.has_perm("audit.view_auditevent"),
    }
