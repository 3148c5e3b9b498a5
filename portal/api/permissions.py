from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions, reads included: listing needs ``view_<model>``."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }


class ActionPermissions(ModelPermissions):
    """Model permissions per viewset action: ``view.action_permissions`` names the permission
    an extra action needs (``submit`` → ``portal.submit_release``); other actions go by method."""

    def has_permission(self, request, view):
        user = request.user
        action = getattr(view, "action", None)
        if action is None and getattr(view, "action_map", None) is not None:
            # A method the viewset does not offer: let it answer 405, not 403.
            return bool(user and user.is_authenticated)
        needed = getattr(view, "action_permissions", {}).get(action)
        if needed is None:
            return super().has_permission(request, view)
        return bool(user and user.is_authenticated and user.has_perm(needed))
