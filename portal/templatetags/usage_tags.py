"""``{% usage_summary asset %}``: an asset's partner usage in the person's communities."""

from django import template

from portal.usage.filters import VIEW, summed, visible_usage

register = template.Library()


@register.inclusion_tag("usage/_asset_summary.html", takes_context=True)
def usage_summary(context, asset):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(VIEW):
        return {"shown": False}
    return {
        "shown": True,
        "asset": asset,
        "totals": summed(visible_usage(user).filter(asset=asset)),
    }
