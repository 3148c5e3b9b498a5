from django.urls import path

from portal.onboarding import enrollment_views, views

app_name = "onboarding"
urlpatterns = [
    path("", views.ProgramListView.as_view(), name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/materials/", views.save_materials, name="materials"),
    path("<int:pk>/materials/add/", views.add_materials, name="add"),
    path("<int:pk>/materials/<int:item_pk>/remove/", views.remove_material, name="remove"),
    path("<int:pk>/enroll/", views.enroll, name="enroll"),
    path("enrollments/", enrollment_views.EnrollmentListView.as_view(), name="enrollments"),
    path("enrollments/export.csv", enrollment_views.export_csv, name="export"),
    path("enrollments/<int:pk>/", enrollment_views.enrollment_detail, name="enrollment"),
    path("follow-ups/", enrollment_views.FollowUpListView.as_view(), name="follow-ups"),
    path("follow-ups/<int:pk>/done/", enrollment_views.follow_up_done, name="done"),
]
