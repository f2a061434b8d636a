from django.urls import path

from localstandards.notices import onboarding_views, views

app_name = "notices"

urlpatterns = [
    path("rounds/<int:round_id>/", views.round_reminders, name="round"),
    path("rounds/<int:round_id>/onboarding/", onboarding_views.start, name="onboarding"),
    path("rounds/<int:round_id>/onboarding/<str:level>/<str:code>/", onboarding_views.unit, name="onboarding-unit"),
    path(
        "rounds/<int:round_id>/onboarding/<str:level>/<str:code>/letters/",
        onboarding_views.letters,
        name="onboarding-letters",
    ),
]
