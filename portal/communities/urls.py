from django.urls import path

from portal.communities import views
from portal.releases import trace_views

app_name = "communities"
urlpatterns = [
    path("", views.CommunityListView.as_view(), name="list"),
    path("<int:pk>/", views.community_detail, name="detail"),
    path("<int:pk>/live.csv", trace_views.live_csv, name="live-export"),
    path("partners/", views.PartnerListView.as_view(), name="partners"),
    path("partners/<int:pk>/", views.partner_detail, name="partner"),
    path("grants/", views.grants, name="grants"),
    path("export.csv", views.export_communities, name="export"),
    path("partners/export.csv", views.export_partners, name="export-partners"),
]
