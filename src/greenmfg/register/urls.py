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
]
