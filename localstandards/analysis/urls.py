from django.urls import path

from localstandards.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.start, name="start"),
    path("provinces.geojson", views.province_shapes, name="provinces"),
    path("<int:round_id>/<str:level>/<str:code>/", views.level_view, name="level"),
    path("<int:round_id>/compare/<int:other_id>/lg/<int:pk>/", views.compare_local_government, name="compare-lg"),
    path("<int:round_id>/compare/<int:other_id>/<str:level>/<str:code>/", views.compare_view, name="compare"),
]
