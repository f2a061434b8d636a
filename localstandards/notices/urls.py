from django.urls import path

from localstandards.notices import circular_views, onboarding_views, views

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
    path("rounds/<int:round_id>/circular/<str:level>/<str:code>/", circular_views.circular, name="circular"),
    path(
        "rounds/<int:round_id>/circular-text/<str:level>/",
        circular_views.circular_template,
        name="circular-template",
    ),
]
