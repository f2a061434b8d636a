from django.urls import path

from localstandards.reports import views

app_name = "reports"
urlpatterns = [
    path("<int:pk>/", views.results, name="results"),
    path("<int:pk>/pdf/", views.results_pdf, name="pdf"),
    path("<int:pk>/plan.xlsx", views.plan_xlsx, name="plan"),
    path("p/<str:slug>/", views.public, name="public"),
    path("p/<str:slug>/embed/", views.public_embed, name="embed"),
    path("p/<str:slug>/pdf/", views.public_pdf, name="public-pdf"),
]
