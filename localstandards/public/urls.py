from django.urls import path

from localstandards.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("provinces/", views.provinces, name="provinces"),
    path("province/<str:code>/", views.province, name="province"),
    path("lg/<int:pk>/", views.local_government, name="local-government"),
    path("data/", views.open_data, name="open-data"),
    path("data/dictionary/", views.data_dictionary, name="data-dictionary"),
    path("data/catalog.json", views.catalogue, name="data-catalogue"),
    path("data/<int:round_id>/<slug:dataset>.<slug:fmt>", views.data_file, name="data-file"),
    path("survey/<int:round_id>/<int:lg_pk>/", views.survey_page, name="survey"),
    path("survey/return/<int:pk>/", views.survey_responses, name="survey-responses"),
    path("survey/return/<int:pk>/poster.pdf", views.survey_poster, name="survey-poster"),
]
