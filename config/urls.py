from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

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
    path("notices/", include("localstandards.notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
