from django.urls import path

from portal.kits import views

app_name = "kits"
urlpatterns = [
    path("", views.KitListView.as_view(), name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/partners.csv", views.partners_csv, name="partners-export"),
]
