from django.urls import path

from localstandards.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("import/", views.framework_import, name="import"),
    path("<int:pk>/", views.framework_detail, name="detail"),
    path("<int:pk>/preview/", views.framework_preview, name="preview"),
    path("<int:pk>/preview/print/", views.framework_preview, {"printable": True}, name="preview-print"),
    path("<int:pk>/export.xlsx", views.framework_export, name="export"),
    path("<int:pk>/problems/", views.framework_problems, name="problems"),  # before <str:action>/
    path("<int:pk>/<str:action>/", views.framework_action, name="action"),
]
