from django.urls import path

from localstandards.subsidy import views

app_name = "subsidy"
urlpatterns = [
    path("", views.start, name="start"),
    path("import/", views.import_view, name="import"),
    path("unit-costs/<int:fiscal_year>/", views.unit_costs_view, name="unit-costs"),
    path("<int:round_id>/", views.analysis_view, name="analysis"),
]
