from django.urls import path

from . import views

app_name = "benchmarks"
urlpatterns = [
    path("", views.values, name="list"),
    path("import/", views.import_sheet, name="import"),
]
