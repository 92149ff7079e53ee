from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from greenmfg.accounts import urls as accounts
from greenmfg.orgs.urls import registration_patterns

urlpatterns = [
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include((accounts.urlpatterns + registration_patterns, accounts.app_name))),
    path("applications/", include("greenmfg.applications.urls")),
    path("evidence/", include("greenmfg.applications.evidence_urls")),
    path("evaluations/", include("greenmfg.evaluations.urls")),
    path("reviews/", include("greenmfg.reviews.urls")),
    path("publication/", include("greenmfg.publication.urls")),
    path("calls/", include("greenmfg.catalog.urls")),
    path("benchmarks/", include("greenmfg.benchmarks.urls")),
    path("schemes/", include("greenmfg.schemes.urls")),
    path("orgs/", include("greenmfg.orgs.urls")),
    path("notifications/", include("greenmfg.notifications.urls")),
    path("public/", include("greenmfg.register.urls")),
    path("supervision/", include("greenmfg.supervision.urls")),
    path("api/", include("greenmfg.register.api_urls")),
    path("reports/", include("greenmfg.reports.urls")),
    path("dashboards/", include("greenmfg.dashboards.urls")),
    path("", include("greenmfg.web.urls")),
]
