from django.urls import path

from localstandards.committee import views

app_name = "committee"
urlpatterns = [
    path("<int:round_id>/", views.report_list, name="list"),
    path("<int:round_id>/request/", views.request_report, name="request"),
    path("report/<int:pk>/<str:kind>/", views.download, name="download"),
]
