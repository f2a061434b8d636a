from django.urls import path

from localstandards.progress import views

app_name = "progress"
urlpatterns = [
    path("", views.start, name="start"),
    path("public/<int:round_id>/", views.public_round, name="public"),
    path("<int:round_id>/<str:level>/<str:code>/", views.level_view, name="level"),
    path("<int:round_id>/<str:level>/<str:code>/not-submitted/", views.laggards_view, name="laggards"),
    path("<int:round_id>/<str:level>/<str:code>/flags/", views.flags_view, name="flags"),
    path("flags/<int:pk>/check/", views.check_flag, name="flag-check"),
]
