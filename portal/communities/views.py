"""Communities and partners, narrowed to the communities granted to the person."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from guardian.models import GroupObjectPermission, UserObjectPermission

from portal import grants as grant_service
from portal.communities.filters import CommunityFilter, PartnerFilter
from portal.grants import communities_for
from portal.listing import FilteredListView, stream_csv
from portal.models import Community, Partner, Publication
from portal.releases.trace import live_in
from portal.roles import COMPLIANCE_REVIEWER, CONTENT_MANAGER

LIVE_SHOWN = 200


def visible_partners(user):
    """Partners with an active membership in a community the person may act on."""
    return Partner.objects.filter(
        memberships__community__in=communities_for(user), memberships__active=True
    ).distinct()


class CommunityListView(FilteredListView):
    model = Community
    filterset_class = CommunityFilter
    permission_required = "portal.view_community"
    template_name = "communities/list.html"
    partial_template_name = "communities/_table.html"

    def get_base_queryset(self):
        return (
            communities_for(self.request.user)
            .annotate(active_partners=Count("memberships", filter=Q(memberships__active=True)))
            .order_by("name")
        )


@login_required
@permission_required("portal.view_community", raise_exception=True)
def community_detail(request, pk: int):
    community = get_object_or_404(communities_for(request.user), pk=pk)
    memberships = community.memberships.select_related("partner").order_by(
        "-active", "partner__company_name"
    )
    # On their way in or out, and withdrawn ones only while Trading Grid disagrees.
    publications = (
        community.publications.select_related("asset")
        .exclude(state__in=[Publication.State.LIVE, Publication.State.SUPERSEDED])
        .exclude(state=Publication.State.WITHDRAWN, drift="")
        .order_by("-id")[:100]
    )
    from requests_app.models import PartnerRequest

    open_requests = community.requests.filter(state__in=PartnerRequest.OPEN_STATES).select_related(
        "partner", "owner"
    )[:100]
    return render(
        request,
        "communities/detail.html",
        {
            "community": community,
            "memberships": memberships,
            "live": live_in(community)[:LIVE_SHOWN],
            "live_count": live_in(community).count(),
            "publications": publications,
            "open_requests": open_requests,
        },
    )


class PartnerListView(FilteredListView):
    model = Partner
    filterset_class = PartnerFilter
    permission_required = "portal.view_partner"
    template_name = "communities/partners.html"
    partial_template_name = "communities/_partners_table.html"

    def get_base_queryset(self):
        return visible_partners(self.request.user)


@login_required
@permission_required("portal.view_partner", raise_exception=True)
def partner_detail(request, pk: int):
    partner = get_object_or_404(Partner, pk=pk)
    memberships = partner.memberships.select_related("community").filter(
        community__in=communities_for(request.user)
    )
    if not memberships.exists():
        raise Http404("No such partner in your communities.")
    return render(
        request,
        "communities/partner.html",
        {"partner": partner, "memberships": memberships, "contacts": partner.contacts.all()},
    )


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none())
    community = forms.ModelChoiceField(queryset=Community.objects.all(), required=False)
    region = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                groups__name__in=[CONTENT_MANAGER, COMPLIANCE_REVIEWER], is_active=True
            )
            .distinct()
            .order_by("username")
        )
        regions = sorted({r for r in Community.objects.values_list("region", flat=True) if r})
        self.fields["region"].choices = [("", "---------")] + [(r, r) for r in regions]

    def clean(self):
        data = super().clean()
        if bool(data.get("community")) == bool(data.get("region")):
            raise forms.ValidationError("Choose either one community or one region.")
        return data


def _granted_communities(users) -> dict[int, list[Community]]:
    """The communities granted one by one to each person (directly or through a group), by
    name, in three queries whatever the number of people."""
    kind = ContentType.objects.get_for_model(Community)
    codename = grant_service.PERMISSION.split(".", 1)[1]
    wanted = {"content_type": kind, "permission__codename": codename}
    pairs = list(
        UserObjectPermission.objects.filter(user__in=users, **wanted).values_list(
            "user_id", "object_pk"
        )
    ) + list(
        GroupObjectPermission.objects.filter(group__user__in=users, **wanted).values_list(
            "group__user", "object_pk"
        )
    )
    ids_of: dict[int, set[int]] = {}
    for user_id, object_pk in pairs:
        ids_of.setdefault(user_id, set()).add(int(object_pk))
    communities = list(Community.objects.filter(pk__in={int(pk) for _, pk in pairs}))
    return {user_id: [c for c in communities if c.pk in ids] for user_id, ids in ids_of.items()}


@login_required
@permission_required("portal.change_community", raise_exception=True)
def grants(request):
    """Portal admins grant managers and reviewers communities, or whole regions."""
    form = GrantForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "grant")
        if action == "revoke":
            user = get_object_or_404(User, pk=request.POST.get("user_id"))
            if request.POST.get("community_id"):
                community = get_object_or_404(Community, pk=request.POST["community_id"])
                grant_service.revoke_community(user, community)
            else:
                grant_service.revoke_region(user, request.POST.get("region", ""))
            messages.success(request, f"Access of {user} revoked.")
            return redirect("communities:grants")
        if form.is_valid():
            user = form.cleaned_data["user"]
            if form.cleaned_data["community"]:
                grant_service.grant_community(user, form.cleaned_data["community"])
            else:
                grant_service.grant_region(
                    user, form.cleaned_data["region"], by=request.user.get_username()
                )
            messages.success(request, f"Access granted to {user}.")
            return redirect("communities:grants")
    users = list(form.fields["user"].queryset.prefetch_related("groups", "region_grants"))
    granted = _granted_communities(users)
    people = [
        {
            "user": user,
            "communities": granted.get(user.pk, []),
            "regions": [grant.region for grant in user.region_grants.all()],
        }
        for user in users
    ]
    return render(request, "communities/grants.html", {"form": form, "people": people})


@login_required
@permission_required("portal.view_community", raise_exception=True)
def export_communities(request):
    filterset = CommunityFilter(
        request.GET or None, request=request, queryset=communities_for(request.user)
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return stream_csv(
        "communities",
        ["tg_id", "name", "status", "regions", "tiers", "last_synced_at"],
        rows.iterator(),
        lambda c: [
            c.tg_id,
            c.name,
            c.status,
            ", ".join(c.regions),
            ", ".join(c.tiers),
            c.last_synced_at.isoformat() if c.last_synced_at else "",
        ],
    )


@login_required
@permission_required("portal.view_partner", raise_exception=True)
def export_partners(request):
    filterset = PartnerFilter(
        request.GET or None, request=request, queryset=visible_partners(request.user)
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return stream_csv(
        "partners",
        ["tg_id", "company_name", "status", "tier", "regions", "language"],
        rows.iterator(),
        lambda p: [p.tg_id, p.company_name, p.status, p.tier, ", ".join(p.regions), p.language],
    )
