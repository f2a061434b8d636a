from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

urlpatterns = [
    path("", include("localstandards.pages.urls")),
    path("", include("localstandards.core.urls")),
    path("accounts/", include("localstandards.accounts.urls")),
    path("registry/", include("localstandards.registry.urls")),
    path("frameworks/", include("localstandards.frameworks.urls")),
    path("returns/", include("localstandards.assessments.urls")),
    path("progress/", include("localstandards.progress.urls")),
    path("results/", include("localstandards.reports.urls")),
    path("analysis/", include("localstandards.analysis.urls")),
    path("subsidy/", include("localstandards.subsidy.urls")),
    path("awards/", include("localstandards.awards.urls")),
    path("committee/", include("localstandards.committee.urls")),
    path("operations/", include("localstandards.operations.urls")),
    path("public/", include("localstandards.public.urls")),
    path("api/", include("localstandards.api.urls")),
    path("notices/", include("localstandards.notices.urls")),
    # Language switching and the JavaScript catalogue serve visitors too (login is required by default).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
# Uploaded files (evidence) are never served from MEDIA_URL, in development either: only through the views that
# check the login and the scope (assessments:download-evidence, committee:download).
