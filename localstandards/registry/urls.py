from django.urls import path

from localstandards.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.local_government_list, name="list"),
    path("lg/<int:pk>/", views.local_government_detail, name="local-government"),
    path("provinces/", views.province_list, name="provinces"),
    path("provinces/<str:code>/", views.province_detail, name="province"),
    path("districts/<str:code>/", views.district_detail, name="district"),
]
