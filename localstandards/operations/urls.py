from django.urls import path

from localstandards.operations import views

app_name = "operations"
urlpatterns = [
    path("people/", views.person_search, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/export/", views.person_export, name="person-export"),
    path("people/<int:pk>/anonymise/", views.person_anonymise, name="person-anonymise"),
]
