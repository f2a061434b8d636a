from django.urls import path

from localstandards.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("provinces/", views.provinces, name="provinces"),
    path("province/<str:code>/", views.province, name="province"),
    path("lg/<int:pk>/", views.local_government, name="local-government"),
]
