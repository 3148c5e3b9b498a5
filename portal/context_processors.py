from portal.roles import role_names


def navigation(request):
    """Navigation entries the signed-in user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    nav = [("dashboard", "Dashboard")]
    if user.has_perm("portal.view_asset"):
        nav.append(("catalog:list", "Catalog"))
    if user.has_perm("portal.view_community"):
        nav.append(("communities:list", "Communities"))
    if user.has_perm("portal.view_release"):
        nav.append(("releases:list", "Releases"))
        nav.append(("kits:list", "Kits"))
    if user.has_perm("portal.view_onboardingprogram"):
        nav.append(("onboarding:list", "Onboarding"))
    if user.has_perm("portal.view_usagedaily"):
        nav.append(("usage:list", "Usage"))
    if user.has_perm("portal.review_release"):
        nav.append(("reviews:queue", "Reviews"))
    if user.has_perm("audit.view_auditevent"):
        nav.append(("audit:list", "Audit trail"))
    if user.has_perm("portal.view_jobrun"):
        nav.append(("jobs", "Jobs"))
    if user.has_perm("integrations.view_syncrun"):
        nav.append(("catalog:syncs", "Syncs"))
    if user.has_perm("integrations.view_outboxmessage"):
        nav.append(("operations:outbox", "Outbox"))
    nav.append(("api-docs", "API"))
    return {"nav": nav, "user_roles": role_names(user)}
