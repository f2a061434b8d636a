from django.urls import path

from localstandards.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_new, name="round-new"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round-edit"),
    path("rounds/<int:pk>/cancel/", views.round_cancel, name="round-cancel"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/area/<str:code>/", views.area, name="area"),
    path("<int:pk>/indicator/<int:indicator_pk>/save/", views.save_indicator, name="save-indicator"),
    path("<int:pk>/indicator/<int:indicator_pk>/preview/", views.preview_indicator, name="preview-indicator"),
    path("<int:pk>/indicator/<int:indicator_pk>/evidence/", views.upload_evidence, name="upload-evidence"),
    path("<int:pk>/indicator/<int:indicator_pk>/history/", views.indicator_history, name="history"),
    path("<int:pk>/question/<int:question_pk>/save/", views.save_question, name="save-question"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.download_evidence, name="download-evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/remove/", views.remove_evidence, name="remove-evidence"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/extension/<int:extension_pk>/cancel/", views.cancel_extension, name="extension-cancel"),
]
