from django.urls import path

from localstandards.awards import views

app_name = "awards"
urlpatterns = [
    path("<int:round_id>/", views.award_scores, name="round"),
    path("<int:round_id>/freeze/", views.freeze_list, name="freeze"),
]
