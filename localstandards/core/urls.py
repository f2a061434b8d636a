from django.urls import path

from localstandards.core import views

urlpatterns = [
    path("display/digits/", views.set_thai_digits, name="set-thai-digits"),
    path("healthz", views.healthz, name="healthz"),
]
