from django.contrib import admin
from django.urls import include, path

from steward.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("steward.core.urls")),
    path("", include("steward.workspace.urls")),
    path("", include("steward.workspace.directory_urls")),
    path("contracts/", include("steward.contracts.urls")),
    path("performance/", include("steward.performance.urls")),
    path("risk/", include("steward.risk.urls")),
    path("pricing/", include("steward.pricing.urls")),
    path("procurement/", include("steward.procurement.urls")),
    path("evaluations/", include("steward.evaluations.urls")),
    path("monitoring/", include("steward.monitoring.urls")),
    path("opendata/", include("steward.opendata.urls")),
]
