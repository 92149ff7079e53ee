from django.urls import path

from . import views

app_name = "register"
urlpatterns = [
    path("", views.home, name="home"),
    path("titles/", views.titles, name="titles"),
    path("titles/export.csv", views.export_csv, name="export_csv"),
    path("titles/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("units/<path:unit_key>/", views.unit, name="unit"),
    path("api/", views.api_docs, name="api_docs"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/export.csv", views.announcements_csv, name="announcements_csv"),
    path("announcements/export.xlsx", views.announcements_xlsx, name="announcements_xlsx"),
    path("notices/", views.notices, name="notices"),
    path("notices/export.csv", views.notices_csv, name="notices_csv"),
    path("notices/export.xlsx", views.notices_xlsx, name="notices_xlsx"),
    path("quality/", views.quality, name="quality"),
    path("quality/export.csv", views.quality_csv, name="quality_csv"),
    path("quality/export.xlsx", views.quality_xlsx, name="quality_xlsx"),
    path("exports/<uuid:job_id>/", views.export_status, name="export_status"),
    path("exports/<uuid:job_id>/download", views.export_download, name="export_download"),
]
