from django.urls import path

from localstandards.notices import views

app_name = "notices"

urlpatterns = [
    path("rounds/<int:round_id>/", views.round_reminders, name="round"),
]
